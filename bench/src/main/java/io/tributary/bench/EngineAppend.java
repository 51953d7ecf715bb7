package io.tributary.bench;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.tributary.engine.AppendResult;
import io.tributary.format.AppendStatus;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ShardLog#append} of one prebuilt batch, again and again: the primary score is batches/s,
 * the {@link Throughput} counters give records/s and MB/s. The batch is built once, outside the
 * measurement, so this is the engine's cost alone (validation, both CRC checks, the copy into
 * the mapped file, the offset and key indexes), not the producer's.
 *
 * <p>Each iteration writes a fresh log (page cache, no fsync: /dev/shm by default) and deletes it
 * afterwards, so the disk holds at most one iteration's worth (about 1-2 GB at the fastest).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class EngineAppend
{
    /** Key + value bytes of each record (8-byte key). */
    @Param({"100", "1024"})
    public int recordBytes;

    @Param({"1", "16", "256"})
    public int batchRecords;

    /** Where the logs go; falls back to java.io.tmpdir when it does not exist. */
    @Param({"/dev/shm"})
    public String baseDir;

    private final AppendResult result = new AppendResult();
    private UnsafeBuffer batch;
    private int batchLength;
    private double payloadMB;
    private double storedMB;
    private Path logDir;
    private ShardLog log;

    @Setup(Level.Trial)
    public void buildBatch()
    {
        batch = BenchLogs.buildBatch(batchRecords, recordBytes);
        batchLength = batch.capacity();
        payloadMB = (double)batchRecords * recordBytes / BenchLogs.BYTES_PER_MB;
        storedMB = batchLength / BenchLogs.BYTES_PER_MB;
    }

    @Setup(Level.Iteration)
    public void openLog()
    {
        logDir = BenchLogs.createDirectory(baseDir, "tributary-bench-append-");
        log = ShardLog.open(new ShardLogConfig().directory(logDir));
    }

    @TearDown(Level.Iteration)
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

    /** Returns the last offset appended, so the JIT cannot drop the call. */
    @Benchmark
    public long append(final Throughput counters)
    {
        final AppendResult appended = log.append(batch, 0, batchLength, 0L, result);
        if (appended.status() != AppendStatus.APPENDED)
        {
            throw new IllegalStateException("append of a " + batchLength + "-byte batch failed: " + appended);
        }
        counters.records += batchRecords;
        counters.payloadMB += payloadMB;
        counters.storedMB += storedMB;
        return appended.lastOffset();
    }
}
