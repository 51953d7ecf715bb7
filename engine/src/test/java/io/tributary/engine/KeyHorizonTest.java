package io.tributary.engine;

import static io.tributary.engine.Batches.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.tributary.engine.internal.LogState;
import io.tributary.format.AppendStatus;
import io.tributary.format.Checksums;
import io.tributary.format.RecordBatchBuilder;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key index is bounded by live keys: {@link ShardLog#dropKeysBefore} forgets the keys whose
 * latest record retention removed, and a key so forgotten is, for conditions and the key limit,
 * a key that was never written.
 */
@ExtendWith(ChronicleHygiene.class)
@Timeout(120)
class KeyHorizonTest
{
    private static final long START_MS = 1_800_000_000_000L;

    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(START_MS * 1_000_000L);
    private final AppendResult result = new AppendResult();
    private final UnsafeBuffer batchBuffer = new UnsafeBuffer(new byte[1 << 20]);
    private final RecordBatchBuilder builder = new RecordBatchBuilder(batchBuffer);
    private final byte[] key = new byte[8];
    private final byte[] value = new byte[8];

    private ShardLogConfig config(final int maxKeys)
    {
        return new ShardLogConfig().directory(dir.resolve("shard")).rollCycle(TestRollCycles.TEST_SECONDLY)
            .timeProvider(clock)
            .maxKeys(maxKeys).maxBatchBytes(1 << 20);
    }

    /** Appends one batch of {@code count} records keyed {@code first .. first + count - 1}; returns its status. */
    private AppendStatus appendKeys(final ShardLog log, final long first, final int count,
        final AppendCondition condition)
    {
        builder.reset();
        final UnsafeBuffer keyView = new UnsafeBuffer(key);
        for (int i = 0; i < count; i++)
        {
            keyView.putLong(0, first + i);
            if (!builder.tryAppend(START_MS, key, value))
            {
                throw new IllegalStateException("batch full at record " + i);
            }
        }
        final int length = builder.build();
        log.append(batchBuffer, 0, length, 0, condition, result);
        return result.status();
    }

    private static byte[] keyBytes(final long k)
    {
        final byte[] bytes = new byte[8];
        new UnsafeBuffer(bytes).putLong(0, k);
        return bytes;
    }

    @Test
    void keysWhoseLatestRecordRetentionRemovedAreForgottenAndCountNoLongerTowardsTheLimit() throws IOException
    {
        try (ShardLog log = ShardLog.open(config(250)))
        {
            // File 1: keys 0..99. File 2: keys 100..199, and key 0 again. File 3: one record.
            assertThat(appendKeys(log, 0, 100, null)).isEqualTo(AppendStatus.APPENDED);
            clock.advanceMillis(1000);
            assertThat(appendKeys(log, 100, 100, null)).isEqualTo(AppendStatus.APPENDED);
            assertThat(appendKeys(log, 0, 1, null)).isEqualTo(AppendStatus.APPENDED);
            final long rewrittenKey0 = result.baseOffset();
            clock.advanceMillis(1000);
            assertThat(appendKeys(log, 500, 1, null)).isEqualTo(AppendStatus.APPENDED);
            assertThat(appendKeys(log, 1000, 100, null)).as("past maxKeys = 250")
                .isEqualTo(AppendStatus.KEY_LIMIT_REACHED);

            log.enforceRetention(START_MS + 10_000, log.nextOffset(), 0, -1);
            assertThat(log.firstOffset()).as("retention deleted the first two files").isEqualTo(201);
            assertThat(log.keyCount()).as("retention alone changes no key").isEqualTo(201);

            assertThat(log.dropKeysBefore(log.firstOffset())).isEqualTo(200);
            assertThat(log.keyHorizon()).isEqualTo(201);
            assertThat(log.keyCount()).as("key 500 only").isEqualTo(1);
            assertThat(log.lastOffsetOf(keyBytes(1))).isEqualTo(-1);
            assertThat(log.lastOffsetOf(keyBytes(0))).as("its latest record (offset %d) is gone too", rewrittenKey0)
                .isEqualTo(-1);
            assertThat(log.lastOffsetOf(keyBytes(500))).isEqualTo(201);
            assertThat(log.dropKeysBefore(100)).as("a horizon never moves back").isZero();
            assertThat(log.keyHorizon()).isEqualTo(201);

            // A forgotten key is a key never written: "expect no record" succeeds, its old offset fails.
            final AppendCondition stale = new AppendCondition().expectKeyLastOffset(keyBytes(0), rewrittenKey0);
            assertThat(appendKeys(log, 0, 1, stale)).isEqualTo(AppendStatus.KEY_CONDITION_FAILED);
            assertThat(result.found()).isEqualTo(-1);
            assertThat(result.message()).contains("no record at or after offset 201");
            final AppendCondition absent = new AppendCondition()
                .expectKeyLastOffset(keyBytes(0), AppendCondition.NO_RECORD);
            assertThat(appendKeys(log, 0, 1, absent)).isEqualTo(AppendStatus.APPENDED);
            assertThat(appendKeys(log, 1000, 100, null)).as("room again under maxKeys")
                .isEqualTo(AppendStatus.APPENDED);
            assertThat(log.keyCount()).isEqualTo(102);
        }
    }

    @Test
    void theHorizonSurvivesASnapshotAndAVersion1SnapshotStillReads() throws IOException
    {
        final Path snapshotFile = dir.resolve("snapshots").resolve("engine.snapshot");
        try (ShardLog log = ShardLog.open(config(1000)))
        {
            appendKeys(log, 0, 10, null);
            appendKeys(log, 5, 10, null);
            assertThat(log.dropKeysBefore(10)).as("keys 0..4, last written at offsets 0..4").isEqualTo(5);
            log.snapshot().write(snapshotFile);
        }
        Files.delete(dir.resolve("shard").resolve(ShardLog.CLEAN_SHUTDOWN_FILE));
        final EngineSnapshot snapshot = EngineSnapshot.read(snapshotFile);
        try (ShardLog log = ShardLog.open(config(1000), snapshot))
        {
            assertThat(log.keyHorizon()).isEqualTo(10);
            assertThat(log.keyCount()).isEqualTo(10);
            assertThat(log.lastOffsetOf(keyBytes(4))).isEqualTo(-1);
            assertThat(log.lastOffsetOf(keyBytes(5))).isEqualTo(10);
        }

        // The same state as a version 1 snapshot (a node of the previous release): no horizon, header of 64 bytes.
        final byte[] v2 = Files.readAllBytes(snapshotFile);
        final byte[] v1 = new byte[v2.length - 8];
        System.arraycopy(v2, 0, v1, 0, LogState.SNAPSHOT_HEADER_LENGTH_V1);
        System.arraycopy(v2, LogState.SNAPSHOT_HEADER_LENGTH, v1, LogState.SNAPSHOT_HEADER_LENGTH_V1,
            v2.length - LogState.SNAPSHOT_HEADER_LENGTH);
        final UnsafeBuffer out = new UnsafeBuffer(v1);
        out.putInt(4, LogState.SNAPSHOT_VERSION_1);
        out.putLong(8, v1.length);
        out.putInt(v1.length - 4, Checksums.crc32c(out, 0, v1.length - 4));
        final EngineSnapshot old = EngineSnapshot.fromBytes(v1, "a version 1 snapshot");
        assertThat(old.nextOffset()).isEqualTo(20);
        Files.deleteIfExists(dir.resolve("shard").resolve(ShardLog.CLEAN_SHUTDOWN_FILE));
        try (ShardLog log = ShardLog.open(config(1000), old))
        {
            assertThat(log.keyHorizon()).as("version 1 knows no horizon").isZero();
            assertThat(log.keyCount()).isEqualTo(10);
            assertThat(log.lastOffsetOf(keyBytes(5))).isEqualTo(10);
        }
    }

    /**
     * Issue #14, point 4: a shard that sees 10M distinct keys over time, with retention keeping a
     * few files, keeps accepting writes under maxKeys = 400,000.
     */
    @Test
    void tenMillionDistinctKeysOverTimeWithRetentionKeepAccepting() throws IOException
    {
        final int keysPerFile = 100_000;
        final int files = 100;
        final int perBatch = 5_000;
        try (ShardLog log = ShardLog.open(config(400_000)))
        {
            long next = 0;
            for (int f = 0; f < files; f++)
            {
                for (int b = 0; b < keysPerFile / perBatch; b++)
                {
                    final AppendStatus status = appendKeys(log, next, perBatch, null);
                    assertThat(status).as("file %d batch %d: %s", f, b, result).isEqualTo(AppendStatus.APPENDED);
                    next += perBatch;
                }
                clock.advanceMillis(1000);
                log.enforceRetention(START_MS, log.nextOffset(), 0, -1);
                log.dropKeysBefore(log.firstOffset());
            }
            assertThat(next).isEqualTo(10_000_000L);
            assertThat(log.keyCount()).as("only the keys of the file being written").isEqualTo(keysPerFile);
            assertThat(log.keyHorizon()).isEqualTo(10_000_000L - keysPerFile);
        }
    }
}
