package io.tributary.engine;

import static io.tributary.engine.Batches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tributary.format.AppendStatus;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's wall clock may jump back (NTP, a VM restored, the Jepsen {@code skew} fault): Chronicle names
 * its files by the cycle of the wall clock, so appends after the jump would go to an earlier cycle than
 * records already stored. Offsets must stay dense and in append order, open or reopened.
 */
@ExtendWith(ChronicleHygiene.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClockSkewTest
{
    private static final long START_MS = 1_800_000_000_000L;

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(START_MS);

    private final AppendResult result = new AppendResult();

    private ShardLogConfig config()
    {
        return new ShardLogConfig().directory(dir.resolve("shard")).rollCycle(TestRollCycles.TEST_SECONDLY)
            .timeProvider(clock);
    }

    private void append(final ShardLog log, final String value)
    {
        final UnsafeBuffer buffer = batch("k", value);
        log.append(buffer, 0, buffer.capacity(), 0, result);
        assertThat(result.status()).as(result.toString()).isEqualTo(AppendStatus.APPENDED);
    }

    /** Appends values v{from} .. v{to - 1}, one batch each. */
    private void appendRange(final ShardLog log, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            append(log, "v" + i);
        }
    }

    private static List<String> expected(final int count)
    {
        final List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            values.add(i + "=v" + i);
        }
        return values;
    }

    @Test
    void appendsAfterTheWallClockJumpsBackKeepDenseOffsetsInAppendOrder()
    {
        try (ShardLog log = ShardLog.open(config()))
        {
            appendRange(log, 0, 3);
            clock.advanceMillis(10_000);
            appendRange(log, 3, 6);
            // Back by 7 s: an earlier cycle than the one just written, later than the first.
            clock.currentTimeMillis(START_MS + 3_000);
            appendRange(log, 6, 9);
            assertThat(log.nextOffset()).isEqualTo(9);
            assertThat(ShardLogTest.readValues(log, 0)).containsExactlyElementsOf(expected(9));
        }
        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(log.nextOffset()).as("next offset after reopening").isEqualTo(9);
            assertThat(ShardLogTest.readValues(log, 0)).containsExactlyElementsOf(expected(9));
            append(log, "v9");
            assertThat(ShardLogTest.readValues(log, 0)).containsExactlyElementsOf(expected(10));
        }
    }

    @Test
    void appendsAfterTheWallClockJumpsBackIntoAFileAlreadyRolledOverAreStored()
    {
        // Jepsen run 105 (seed 517): a replica restarted with the true clock after running an hour ahead could not
        // catch up: Chronicle's "WriteAfterEOFException: You should not be able to write at EOF", every attempt.
        try (ShardLog log = ShardLog.open(config()))
        {
            appendRange(log, 0, 3);
            clock.advanceMillis(10_000);
            appendRange(log, 3, 6);
            clock.currentTimeMillis(START_MS);
            appendRange(log, 6, 9);
            assertThat(ShardLogTest.readValues(log, 0)).containsExactlyElementsOf(expected(9));
        }
        try (ShardLog log = ShardLog.open(config()))
        {
            append(log, "v9");
            assertThat(ShardLogTest.readValues(log, 0)).containsExactlyElementsOf(expected(10));
        }
    }

    @Test
    void reopeningWithTheWallClockBehindTheLastFileKeepsEverything()
    {
        try (ShardLog log = ShardLog.open(config()))
        {
            clock.advanceMillis(3_600_000);
            appendRange(log, 0, 4);
        }
        // A restart with the true clock after running an hour ahead.
        clock.currentTimeMillis(START_MS);
        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(log.nextOffset()).isEqualTo(4);
            appendRange(log, 4, 7);
            assertThat(ShardLogTest.readValues(log, 0)).containsExactlyElementsOf(expected(7));
        }
        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(log.nextOffset()).isEqualTo(7);
            assertThat(ShardLogTest.readValues(log, 0)).containsExactlyElementsOf(expected(7));
        }
    }
}
