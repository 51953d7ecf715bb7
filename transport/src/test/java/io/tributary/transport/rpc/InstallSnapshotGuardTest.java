package io.tributary.transport.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.ratis.util.LifeCycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When the server RPC hands an install-snapshot notification to Ratis: a running division, or a
 * starting one whose log is open (a division restarted from its storage, which only the
 * notification can bring up to date once its leader purged what it lacks); never a division
 * whose log is not open yet (a group still being added), and nothing closed or failed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InstallSnapshotGuardTest
{
    private static final BooleanSupplier OPEN = () -> true;
    private static final BooleanSupplier NOT_OPEN = () -> false;
    private static final BooleanSupplier MUST_NOT_ASK = () ->
    {
        throw new AssertionError("the log was asked about in a state where the answer does not matter");
    };

    @Test
    void aRunningDivisionTakesItWithoutAskingTheLog()
    {
        assertThat(AeronServerRpc.installSnapshotAccepted(LifeCycle.State.RUNNING, MUST_NOT_ASK)).isTrue();
    }

    @Test
    void aStartingDivisionTakesItOnlyWithItsLogOpen()
    {
        assertThat(AeronServerRpc.installSnapshotAccepted(LifeCycle.State.STARTING, OPEN)).isTrue();
        assertThat(AeronServerRpc.installSnapshotAccepted(LifeCycle.State.STARTING, NOT_OPEN)).isFalse();
    }

    @Test
    void everyOtherStateRefusesIt()
    {
        for (final LifeCycle.State state : LifeCycle.State.values())
        {
            if (state != LifeCycle.State.RUNNING && state != LifeCycle.State.STARTING)
            {
                assertThat(AeronServerRpc.installSnapshotAccepted(state, MUST_NOT_ASK)).as(state.name()).isFalse();
            }
        }
    }
}
