package io.tributary.bench;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.tributary.engine.AppendResult;
import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchFlyweight;
import io.tributary.format.RecordFlyweight;
import io.tributary.engine.ShardLog;
import io.tributary.engine.ShardLogConfig;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A full scan of a prefilled log from offset 0 with {@link ShardLog#read} into one reused direct
 * buffer. One invocation reads every record, so with {@code @OperationsPerInvocation} the primary
 * score is records/s and {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes allocated per record.
 * {@code scanBatches} reads batch headers only (what a consumer forwarding batches does);
 * {@code scanRecords} also visits every record with the flyweight, reading its value length.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class EngineRead
{
    static final int RECORD_BYTES = 1024;
    static final int RECORDS_PER_BATCH = 256;
    /** 1024 batches of 256 x 1 KiB: about 275 MB of log. */
    static final int PREFILL_BATCHES = 1024;
    static final int SCAN_RECORDS = PREFILL_BATCHES * RECORDS_PER_BATCH;
    static final int READ_MAX_BYTES = 1 << 20;

    /** Where the log goes; falls back to java.io.tmpdir when it does not exist. */
    @Param({"/dev/shm"})
    public String baseDir;

    /** Lowered by the smoke test only: the scores assume {@link #PREFILL_BATCHES}. */
    int prefillBatches = PREFILL_BATCHES;

    private final RecordBatchFlyweight view = new RecordBatchFlyweight();
    private UnsafeBuffer dst;
    private Path logDir;
    private ShardLog log;

    @Setup(Level.Trial)
    public void prefill()
    {
        logDir = BenchLogs.createDirectory(baseDir, "tributary-bench-read-");
        log = ShardLog.open(new ShardLogConfig().directory(logDir));
        final UnsafeBuffer batch = BenchLogs.buildBatch(RECORDS_PER_BATCH, RECORD_BYTES);
        final AppendResult result = new AppendResult();
        for (int i = 0; i < prefillBatches; i++)
        {
            if (log.append(batch, 0, batch.capacity(), 0L, result).status() != AppendStatus.APPENDED)
            {
                throw new IllegalStateException("prefill append " + i + " failed: " + result);
            }
        }
        dst = new UnsafeBuffer(ByteBuffer.allocateDirect(READ_MAX_BYTES));
    }

    @TearDown(Level.Trial)
    public void deleteLog()
    {
        try
        {
            if (log != null)
            {
                log.close();
            }
        }
        finally
        {
            log = null;
            IoUtil.delete(logDir.toFile(), false);
        }
    }

    /** Reads every batch, looking only at batch headers; returns the bytes read. */
    @Benchmark
    @OperationsPerInvocation(SCAN_RECORDS)
    public long scanBatches(final Throughput counters)
    {
        final long end = log.nextOffset();
        long offset = log.firstOffset();
        long bytes = 0;
        long records = 0;
        while (offset < end)
        {
            final int length = log.read(offset, dst, 0, READ_MAX_BYTES);
            int at = 0;
            while (at < length)
            {
                view.wrap(dst, at);
                records += view.recordCount();
                offset = view.lastOffset() + 1;
                at += view.batchLength();
            }
            bytes += length;
        }
        counters.records += records;
        counters.payloadMB += records * RECORD_BYTES / BenchLogs.BYTES_PER_MB;
        counters.storedMB += bytes / BenchLogs.BYTES_PER_MB;
        return bytes;
    }

    /** Reads every batch and visits every record; returns the sum of value lengths. */
    @Benchmark
    @OperationsPerInvocation(SCAN_RECORDS)
    public long scanRecords(final Throughput counters)
    {
        final long end = log.nextOffset();
        long offset = log.firstOffset();
        long bytes = 0;
        long records = 0;
        long payload = 0;
        long valueBytes = 0;
        while (offset < end)
        {
            final int length = log.read(offset, dst, 0, READ_MAX_BYTES);
            int at = 0;
            while (at < length)
            {
                view.wrap(dst, at);
                while (view.nextRecord())
                {
                    final RecordFlyweight record = view.record();
                    final int valueLength = record.valueLength();
                    valueBytes += valueLength;
                    payload += record.keyLength() + valueLength;
                    records++;
                }
                offset = view.lastOffset() + 1;
                at += view.batchLength();
            }
            bytes += length;
        }
        counters.records += records;
        counters.payloadMB += payload / BenchLogs.BYTES_PER_MB;
        counters.storedMB += bytes / BenchLogs.BYTES_PER_MB;
        return valueBytes;
    }
}
