package io.tributary.engine;

import static io.tributary.engine.Batches.batch;
import static io.tributary.engine.Batches.bytes;
import static io.tributary.engine.Batches.idempotentBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import io.tributary.format.AppendStatus;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica rebuilt after retention deleted the start of the shard (issue #14, point 2): an empty
 * log takes another replica's base state and the batches from its first retained offset, and then
 * decides every append exactly as that replica does.
 */
@ExtendWith(ChronicleHygiene.class)
@Timeout(60)
class InstallBaseTest
{
    private static final long START_MS = 1_800_000_000_000L;

    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(START_MS * 1_000_000L);
    private final AppendResult result = new AppendResult();
    private long raftIndex;

    private ShardLogConfig config(final String name)
    {
        return new ShardLogConfig().directory(dir.resolve(name)).rollCycle(TestRollCycles.TEST_SECONDLY)
            .timeProvider(clock);
    }

    private AppendResult append(final ShardLog log, final UnsafeBuffer batch)
    {
        return log.append(batch, 0, batch.capacity(), ++raftIndex, result);
    }

    /** Copies every batch of {@code from}, starting at {@code to}'s next offset, as catch-up does. */
    private static int copy(final ShardLog from, final ShardLog to)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 20]);
        int batches = 0;
        while (to.nextOffset() < from.nextOffset())
        {
            final int length = from.read(to.nextOffset(), buffer, 0, buffer.capacity());
            for (int at = 0; at < length; at += buffer.getInt(at))
            {
                assertThat(to.appendStored(buffer, at, buffer.getInt(at))).isTrue();
                batches++;
            }
        }
        return batches;
    }

    @Test
    void aLogInstalledFromAPeersBaseStateDecidesAppendsAsThatPeerDoes()
    {
        try (ShardLog leader = ShardLog.open(config("leader")))
        {
            // File 1: producer 7's first batches, keys a and b. File 2: key x. File 3 (kept): producer 7 again, keys a,
            // d.
            append(leader, idempotentBatch(7, (short)0, 0, "a", "1", "2"));
            append(leader, idempotentBatch(7, (short)0, 2, "b", "3"));
            clock.advanceMillis(1000);
            append(leader, batch("x", "4"));
            clock.advanceMillis(1000);
            append(leader, idempotentBatch(7, (short)0, 3, "a", "5"));
            append(leader, idempotentBatch(7, (short)0, 4, "d", "6"));
            leader.enforceRetention(START_MS, leader.nextOffset(), 0, -1);
            assertThat(leader.firstOffset()).as("the first two files are gone").isEqualTo(4);
            leader.dropKeysBefore(leader.firstOffset());

            try (ShardLog replica = ShardLog.open(config("replica")))
            {
                replica.installBase(EngineSnapshot.fromBytes(leader.baseState().toBytes(), "the leader"));
                assertThat(replica.firstOffset()).isEqualTo(4);
                assertThat(replica.installing()).isTrue();
                assertThatThrownBy(replica::snapshot).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("still installing");
                assertThat(copy(leader, replica)).isEqualTo(2);
                assertThat(replica.installing()).isFalse();
                assertSameState(leader, replica);

                // The same appends get the same answers on both: a retry of producer 7's first batch (offset 0, long
                // gone from both) is still within its last five batches, so a duplicate; key b is forgotten.
                for (final ShardLog log : new ShardLog[] {leader, replica})
                {
                    final UnsafeBuffer retry = idempotentBatch(7, (short)0, 0, "a", "1", "2");
                    log.append(retry, 0, retry.capacity(), raftIndex + 1, result);
                    assertThat(result.status()).as("retry on %s: %s", log, result).isEqualTo(AppendStatus.DUPLICATE);
                    assertThat(result.baseOffset()).isEqualTo(0);
                    final UnsafeBuffer next = idempotentBatch(7, (short)0, 5, "e", "7");
                    log.append(next, 0, next.capacity(), raftIndex + 2, result);
                    assertThat(result.status()).isEqualTo(AppendStatus.APPENDED);
                    assertThat(result.baseOffset()).isEqualTo(6);
                }
                assertSameState(leader, replica);
            }
            try (ShardLog reopened = ShardLog.open(config("replica")))
            {
                assertThat(reopened.firstOffset()).isEqualTo(4);
                assertSameState(leader, reopened);
            }
        }
    }

    @Test
    void onlyAnEmptyLogTakesABaseState()
    {
        try (ShardLog leader = ShardLog.open(config("leader")); ShardLog replica = ShardLog.open(config("replica")))
        {
            append(leader, batch("a", "1"));
            append(replica, batch("a", "1"));
            assertThatThrownBy(() -> replica.installBase(leader.baseState())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs an empty log");
        }
    }

    private static void assertSameState(final ShardLog expected, final ShardLog actual)
    {
        assertThat(actual.nextOffset()).isEqualTo(expected.nextOffset());
        assertThat(actual.lastRaftIndex()).isEqualTo(expected.lastRaftIndex());
        assertThat(actual.keyCount()).isEqualTo(expected.keyCount());
        assertThat(actual.keyHorizon()).isEqualTo(expected.keyHorizon());
        for (final String key : new String[] {"a", "b", "d", "e", "x"})
        {
            assertThat(actual.lastOffsetOf(bytes(key))).as("key %s", key).isEqualTo(expected.lastOffsetOf(bytes(key)));
        }
        assertThat(actual.producerState(7)).isEqualTo(expected.producerState(7));
    }
}
