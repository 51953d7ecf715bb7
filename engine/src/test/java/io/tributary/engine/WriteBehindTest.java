package io.tributary.engine;

import io.tributary.format.AppendStatus;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static io.tributary.engine.Batches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ShardLog#forceWritten} forces exactly the queue files written since its last call; {@link WriteBehind} calls
 * it.
 */
@Timeout(60)
class WriteBehindTest
{
    private static final long START_MS = 1_800_000_000_000L;

    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(START_MS * 1_000_000L);
    private final AppendResult result = new AppendResult();
    private final List<Path> forced = new ArrayList<>();

    private ShardLogConfig config()
    {
        return new ShardLogConfig().directory(dir.resolve("shard")).rollCycle(TestRollCycles.TEST_SECONDLY)
            .timeProvider(clock);
    }

    private void append(final ShardLog log, final long raftIndex)
    {
        final UnsafeBuffer buffer = batch("k", "v" + raftIndex);
        log.append(buffer, 0, buffer.capacity(), raftIndex, result);
        assertThat(result.status()).isEqualTo(AppendStatus.APPENDED);
    }

    private List<Path> queueFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve("shard")))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
    }

    @Test
    void forcesTheFilesWrittenSinceTheLastCallAndReturnsTheRaftIndexCovered() throws IOException
    {
        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(log.forceWritten(forced::add)).as("nothing stored yet").isZero();
            assertThat(forced).isEmpty();

            append(log, 1);
            append(log, 2);
            assertThat(log.forceWritten(forced::add)).isEqualTo(2);
            assertThat(forced).containsExactlyElementsOf(queueFiles());

            forced.clear();
            assertThat(log.forceWritten(forced::add)).as("nothing new").isEqualTo(2);
            assertThat(forced).as("no I/O when nothing was stored since").isEmpty();

            // Three more files, one per second: the file of the last call (written again), and every new one.
            append(log, 3);
            for (int second = 1; second <= 3; second++)
            {
                clock.advanceMillis(1000);
                append(log, 3 + second);
            }
            assertThat(log.forceWritten(forced::add)).isEqualTo(6);
            assertThat(queueFiles()).hasSize(4);
            assertThat(forced).containsExactlyElementsOf(queueFiles());

            forced.clear();
            clock.advanceMillis(1000);
            append(log, 7);
            assertThat(log.forceWritten(forced::add)).isEqualTo(7);
            assertThat(forced)
                .as("the newest file of the last call (it may have grown since) and the new one, no older one")
                .containsExactly(queueFiles().get(3), queueFiles().get(4));
        }
    }

    @Test
    void aFailedForceCountsNothingAsForcedAndTheNextCallCoversItAgain() throws IOException
    {
        try (ShardLog log = ShardLog.open(config()))
        {
            append(log, 1);
            assertThatThrownBy(() -> log.forceWritten(file ->
            {
                throw new IOException("EIO on " + file);
            })).isInstanceOf(IOException.class).hasMessageContaining("EIO");
            assertThat(log.forceWritten(forced::add)).isEqualTo(1);
            assertThat(forced).as("the file whose force failed is forced again")
                .containsExactlyElementsOf(queueFiles());
        }
    }

    @Test
    void aReopenedLogForcesEveryRetainedFileOnItsFirstCall() throws IOException
    {
        try (ShardLog log = ShardLog.open(config()))
        {
            append(log, 1);
            clock.advanceMillis(1000);
            append(log, 2);
        }
        try (ShardLog log = ShardLog.open(config()))
        {
            append(log, 3);
            assertThat(log.forceWritten(forced::add)).isEqualTo(3);
            assertThat(forced).as("what the earlier process stored may still be dirty")
                .containsExactlyElementsOf(queueFiles());
        }
    }

    @Test
    void aClosedLogIsNotForced() throws IOException
    {
        final ShardLog log = ShardLog.open(config());
        append(log, 1);
        log.close();
        assertThat(log.forceWritten(forced::add)).isZero();
        assertThat(forced).isEmpty();
    }

    @Test
    void theThreadForcesRegisteredLogsEveryPassAndLeavesUnregisteredOnesAlone() throws IOException
    {
        try (ShardLog log = ShardLog.open(config()); WriteBehind writeBehind = new WriteBehind(5, "test-writeback"))
        {
            writeBehind.register(log);
            append(log, 1);
            // The real fdatasync: the log's files are forced without an error, so the next pass finds nothing new.
            awaitPasses(writeBehind, 3);
            assertThat(log.forceWritten(forced::add)).isEqualTo(1);
            assertThat(forced).as("the thread already forced raft index 1").isEmpty();

            append(log, 2);
            awaitPasses(writeBehind, 3);
            assertThat(log.forceWritten(forced::add)).isEqualTo(2);
            assertThat(forced).isEmpty();

            writeBehind.unregister(log);
            append(log, 3);
            awaitPasses(writeBehind, 3);
            assertThat(log.forceWritten(forced::add)).as("an unregistered log is left alone").isEqualTo(3);
            assertThat(forced).isNotEmpty();
        }
    }

    @Test
    void aFailingLogDoesNotStopTheOthersAndIsRetried() throws IOException
    {
        final Path bad = dir.resolve("bad");
        final AtomicBoolean badFails = new AtomicBoolean(true);
        final List<Path> threadForced = new CopyOnWriteArrayList<>();
        final ShardLog.FileForcer forcer = file ->
        {
            if (file.startsWith(bad) && badFails.get())
            {
                throw new IOException("EIO on " + file);
            }
            threadForced.add(file);
        };
        try (ShardLog good = ShardLog.open(config()); ShardLog failing =
            ShardLog.open(new ShardLogConfig().directory(bad));
            WriteBehind writeBehind = new WriteBehind(5, "test-writeback", forcer))
        {
            writeBehind.register(failing);
            writeBehind.register(good);
            append(failing, 1);
            append(good, 1);
            awaitPasses(writeBehind, 3);
            assertThat(threadForced).as("the good log was forced").isNotEmpty().allMatch(f -> !f.startsWith(bad));

            badFails.set(false);
            awaitPasses(writeBehind, 3);
            assertThat(threadForced).as("the failing log is retried once its disk works")
                .anyMatch(f -> f.startsWith(bad));
        }
    }

    @Test
    void refusesAnIntervalBelowOneMillisecond()
    {
        assertThatThrownBy(() -> new WriteBehind(0, "x")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("at least 1 ms, got 0");
    }

    private static void awaitPasses(final WriteBehind writeBehind, final int passes)
    {
        final long target = writeBehind.passes() + passes;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (writeBehind.passes() < target)
        {
            assertThat(System.nanoTime() - deadlineNs).as("write-behind passes within 20 s").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
