package io.tributary.engine;

import io.tributary.format.AppendStatus;

import io.tributary.format.RecordBatchBuilder;

import static io.tributary.engine.Batches.batch;
import static io.tributary.engine.Batches.bytes;
import static io.tributary.engine.Batches.idempotentBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(ChronicleHygiene.class)
class RetentionAndSnapshotTest
{
    private static final long START_MS = 1_800_000_000_000L;

    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(START_MS * 1_000_000L);
    private final AppendResult result = new AppendResult();

    private ShardLogConfig config()
    {
        return new ShardLogConfig().directory(dir.resolve("shard")).rollCycle(TestRollCycles.TEST_SECONDLY)
            .timeProvider(clock);
    }

    /** Appends {@code batches} batches of 1000-byte values into each of {@code files} one-second files. */
    private void fill(final ShardLog log, final int files, final int batches, final long timestampBaseMs)
    {
        for (int f = 0; f < files; f++)
        {
            for (int b = 0; b < batches; b++)
            {
                final UnsafeBuffer buffer = timestampedBatch(timestampBaseMs + f * 1000L);
                log.append(buffer, 0, buffer.capacity(), 0, result);
                assertThat(result.status()).isEqualTo(AppendStatus.APPENDED);
            }
            clock.advanceMillis(1000);
        }
    }

    private static UnsafeBuffer timestampedBatch(final long timestampMs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer).reset();
        builder.tryAppend(timestampMs, bytes("k"), new byte[1000]);
        return new UnsafeBuffer(buffer, 0, builder.build());
    }

    private long queueFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve("shard")))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    @Test
    void retentionByBytesDeletesWholeRolledFilesButNotPastTheKeepFromOffset() throws IOException
    {
        final int batchBytes = timestampedBatch(0).capacity();
        try (ShardLog log = ShardLog.open(config().maxBatchBytes(8192).retentionBytes(batchBytes * 25L)))
        {
            fill(log, 5, 10, START_MS);
            assertThat(queueFiles()).isEqualTo(5);
            assertThat(log.retainedBytes()).isEqualTo(50L * batchBytes);

            final RetentionResult limited = log.enforceRetention(START_MS, 15);
            assertThat(limited.deletedFiles()).as("offset 15 is in the second file").hasSize(1);
            assertThat(log.firstOffset()).isEqualTo(10);

            final RetentionResult result = log.enforceRetention(START_MS, Long.MAX_VALUE);
            assertThat(result.deletedFiles()).hasSize(2);
            assertThat(log.firstOffset()).isEqualTo(30);
            assertThat(log.retainedBytes()).isEqualTo(20L * batchBytes);
            assertThat(queueFiles()).isEqualTo(2);
            assertThatThrownBy(() -> log.read(5, new UnsafeBuffer(new byte[1 << 16]), 0, 100))
                .isInstanceOf(OffsetOutOfRangeException.class)
                    .hasMessageContaining("deleted by retention, read from 30");
            assertThat(ShardLogTest.readValues(log, 30)).hasSize(20);
        }
        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(log.firstOffset()).isEqualTo(30);
            assertThat(log.nextOffset()).isEqualTo(50);
        }
        Files.delete(dir.resolve("shard").resolve(ShardLog.CLEAN_SHUTDOWN_FILE));
        try (ShardLog log = ShardLog.open(config()))
        {
            assertThat(log.firstOffset()).as("rebuilt from the queue alone").isEqualTo(30);
            assertThat(log.nextOffset()).isEqualTo(50);
            assertThat(ShardLogTest.readValues(log, 30)).hasSize(20);
        }
    }

    @Test
    void retentionByAgeNeverDeletesTheFileBeingWritten() throws IOException
    {
        try (ShardLog log = ShardLog.open(config().retentionMs(60_000)))
        {
            fill(log, 3, 4, START_MS);
            assertThat(log.enforceRetention(START_MS + 30_000, Long.MAX_VALUE).deletedFiles()).isEmpty();
            final RetentionResult result = log.enforceRetention(START_MS + 61_500, Long.MAX_VALUE);
            assertThat(result.deletedFiles()).as("files whose newest record is over 60 s old").hasSize(2);
            assertThat(log.firstOffset()).isEqualTo(8);
            assertThat(log.enforceRetention(START_MS + 1_000_000, Long.MAX_VALUE).deletedFiles())
                .as("the last file is never deleted").isEmpty();
            assertThat(queueFiles()).isEqualTo(1);
        }
    }

    @Test
    void snapshotRestoresStateAndReplaysOnlyWhatFollowsIt() throws IOException
    {
        final Path snapshotFile = dir.resolve("snapshots").resolve("engine.snapshot");
        try (ShardLog log = ShardLog.open(config()))
        {
            append(log, idempotentBatch(9, (short)2, 0, "a", "1", "2"), 5);
            append(log, batch("b", "3"), 6);
            log.snapshot().write(snapshotFile);
            append(log, batch("a", "4"), 7);
            append(log, idempotentBatch(9, (short)2, 2, "c", "5"), 8);
        }
        Files.delete(dir.resolve("shard").resolve(ShardLog.CLEAN_SHUTDOWN_FILE));
        final EngineSnapshot snapshot = EngineSnapshot.read(snapshotFile);
        assertThat(snapshot.lastOffset()).isEqualTo(2);
        assertThat(snapshot.lastRaftIndex()).isEqualTo(6);
        try (ShardLog log = ShardLog.open(config(), snapshot))
        {
            assertThat(log.recoveryReport().restoredFromSnapshot()).isTrue();
            assertThat(log.recoveryReport().batchesScanned()).as("only the batches after the snapshot").isEqualTo(2);
            assertThat(log.lastOffset()).isEqualTo(4);
            assertThat(log.lastRaftIndex()).isEqualTo(8);
            assertThat(log.lastOffsetOf(bytes("a"))).isEqualTo(3);
            assertThat(log.lastOffsetOf(bytes("b"))).isEqualTo(2);
            assertThat(log.producerState(9)).containsExactly(2, 2);
            final UnsafeBuffer retry = idempotentBatch(9, (short)2, 0, "a", "1", "2");
            log.append(retry, 0, retry.capacity(), 9, result);
            assertThat(result.status()).isEqualTo(AppendStatus.DUPLICATE);
            assertThat(result.baseOffset()).isEqualTo(0);
            assertThat(ShardLogTest.readValues(log, 0)).containsExactly("0=1", "1=2", "2=3", "3=4", "4=5");
        }
    }

    @Test
    void corruptSnapshotIsRefusedWithAClearError() throws IOException
    {
        final Path snapshotFile = dir.resolve("engine.snapshot");
        try (ShardLog log = ShardLog.open(config()))
        {
            append(log, batch("a", "1"), 1);
            log.snapshot().write(snapshotFile);
        }
        final byte[] bytes = Files.readAllBytes(snapshotFile);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(snapshotFile, bytes);
        assertThatThrownBy(() -> EngineSnapshot.read(snapshotFile)).isInstanceOf(CorruptSnapshotException.class)
            .hasMessageContaining(snapshotFile.toString()).hasMessageContaining("checksum mismatch");
        Files.write(snapshotFile, Arrays.copyOf(bytes, 30));
        assertThatThrownBy(() -> EngineSnapshot.read(snapshotFile)).isInstanceOf(CorruptSnapshotException.class)
            .hasMessageContaining("shorter than its header");
    }

    @Test
    void snapshotOfOtherQueueFilesIsRefused() throws IOException
    {
        final EngineSnapshot foreign;
        try (ShardLog log = ShardLog.open(new ShardLogConfig().directory(dir.resolve("other"))))
        {
            append(log, batch("a", "1"), 1);
            append(log, batch("a", "2"), 2);
            append(log, batch("a", "3"), 3);
            foreign = log.snapshot();
        }
        try (ShardLog log = ShardLog.open(config()))
        {
            append(log, batch("a", "1"), 1);
        }
        assertThatThrownBy(() -> ShardLog.open(config(), foreign)).isInstanceOf(CorruptLogException.class)
            .hasMessageContaining("queue files are missing");
    }

    private void append(final ShardLog log, final UnsafeBuffer batch, final long raftIndex)
    {
        log.append(batch, 0, batch.capacity(), raftIndex, result);
        assertThat(result.status()).as(result.toString()).isEqualTo(AppendStatus.APPENDED);
    }
}
