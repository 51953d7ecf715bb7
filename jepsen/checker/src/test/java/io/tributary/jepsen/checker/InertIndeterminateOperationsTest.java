package io.tributary.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jepsen.models.KvModel;
import io.tributary.jepsen.models.LogModel;
import io.tributary.jepsen.models.RegisterModel;
import io.tributary.jepsen.models.RegisterModel.Input;
import io.tributary.jepsen.models.RegisterModel.Output;
import io.tributary.jepsen.models.RegisterModel.State;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Indeterminate operations without effect (a read whose client crashed) are left out of the search: the
 * verdicts stay those of the full search (BruteForceAgreementTest checks them on thousands of random
 * histories with such reads), and the states explored no longer double with each one. The models that say
 * so must mean it: such an operation returns every state unchanged.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InertIndeterminateOperationsTest
{
    private static final Checker CHECKER = new Checker(CheckOptions.defaults());

    @Test
    void openReadsNoLongerMultiplyTheStatesExploredAndTheVerdictsStay()
    {
        // Linearizable: each open read is linearized at once, nothing backtracks.
        List<Operation<Input, Output>> history = writesWithOpenReads(40, 12);
        assertThat(CHECKER.check(new RegisterModel(), history).result()).isEqualTo(CheckResult.OK);
        assertThat(CHECKER.check(new SearchingEveryOperation(), history).result()).isEqualTo(CheckResult.OK);

        // Not linearizable: a completed read of a value overwritten before it began. To say so the search must
        // try every (linearized set, state) pair; each open read searched doubles them.
        List<Operation<Input, Output>> illegal = new ArrayList<>(writesWithOpenReads(10, 12));
        illegal.add(new Operation<>(99, Input.read(), 1_005, Output.read(3L), 1_006));
        Analysis<Input, Output> leftOut = CHECKER.check(new RegisterModel(), illegal);
        Analysis<Input, Output> searched = CHECKER.check(new SearchingEveryOperation(), illegal);
        assertThat(leftOut.result()).isEqualTo(CheckResult.ILLEGAL);
        assertThat(searched.result()).isEqualTo(CheckResult.ILLEGAL);
        long withLeaveOut = leftOut.partitions().get(0).cacheEntries();
        long withoutLeaveOut = searched.partitions().get(0).cacheEntries();
        assertThat(withLeaveOut).as("states explored with the 12 open reads left out").isLessThanOrEqualTo(12);
        assertThat(withoutLeaveOut).as("states explored with them searched").isGreaterThan(1_000 * withLeaveOut);
    }

    @Test
    void theShippedModelsLeaveOutOnlyOperationsThatChangeNoState()
    {
        RegisterModel register = new RegisterModel();
        for (final State state : List.of(register.init(), new State(1L), new State("x")))
        {
            assertThat(register.step(state, Input.read(), Output.unknown())).isEqualTo(state);
        }
        assertThat(register.inertWhenIndeterminate(Input.read())).isTrue();
        assertThat(register.inertWhenIndeterminate(Input.write(1L))).isFalse();
        assertThat(register.inertWhenIndeterminate(Input.cas(1L, 2L))).isFalse();

        KvModel kv = new KvModel();
        var kvState = kv.step(kv.init(), KvModel.Input.put("k", "v"), KvModel.Output.ok());
        assertThat(kv.step(kvState, KvModel.Input.get("k"), KvModel.Output.unknown())).isSameAs(kvState);
        assertThat(kv.inertWhenIndeterminate(KvModel.Input.get("k"))).isTrue();
        assertThat(kv.inertWhenIndeterminate(KvModel.Input.put("k", "v"))).isFalse();
        assertThat(kv.inertWhenIndeterminate(KvModel.Input.append("k", "v"))).isFalse();

        LogModel log = new LogModel();
        var logState = log.step(log.init(), LogModel.Input.append(0, "a"), LogModel.Output.appended(0));
        assertThat(log.step(logState, LogModel.Input.read(0, 0), LogModel.Output.unknown())).isSameAs(logState);
        assertThat(log.inertWhenIndeterminate(LogModel.Input.read(0, 0))).isTrue();
        assertThat(log.inertWhenIndeterminate(LogModel.Input.append(0, "a"))).isFalse();
    }

    /**
     * One client writes 1..writes in sequence; {@code openReads} other clients each call a read at the
     * start that never returns.
     */
    private static List<Operation<Input, Output>> writesWithOpenReads(final int writes, final int openReads)
    {
        List<Operation<Input, Output>> history = new ArrayList<>();
        for (int client = 1; client <= openReads; client++)
        {
            history.add(Operation.indeterminate(client, Input.read(), client, Output.unknown()));
        }
        for (int i = 1; i <= writes; i++)
        {
            history.add(new Operation<>(0, Input.write((long) i), 100L * i, Output.ok(), 100L * i + 10));
        }
        return history;
    }

    /** The register model without the leave-out: every operation searched, as before. */
    private static final class SearchingEveryOperation implements Model<State, Input, Output>
    {
        private final RegisterModel register = new RegisterModel();

        @Override
        public State init()
        {
            return register.init();
        }

        @Override
        public State step(final State state, final Input input, final Output output)
        {
            return register.step(state, input, output);
        }

        @Override
        public long hash(final State state)
        {
            return register.hash(state);
        }
    }
}
