package io.tributary.dist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.tributary.engine.AppendResult;
import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.format.RecordBatchFlyweight;
import io.tributary.engine.ShardLog;
import io.tributary.engine.ShardLogConfig;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Appends records to one shard log, reads them all back (verifying checksums and content),
 * reopens the log, and prints the rates. A demonstration of the storage engine on its own.
 */
@Command(name = "engine-demo", mixinStandardHelpOptions = true,
    description = "Append and read back records on one local shard log and print the rates.")
public final class EngineDemoCommand implements Callable<Integer>
{
    @Option(names = "--records", defaultValue = "1000000", description =
        "Records to append (default ${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--size", defaultValue = "100", description = "Value bytes per record (default ${DEFAULT-VALUE}).")
    int valueBytes;

    @Option(names = "--batch", defaultValue = "256", description = "Records per batch (default ${DEFAULT-VALUE}).")
    int batchRecords;

    @Option(names = "--dir", defaultValue = "data/engine-demo",
        description = "Folder for the log; deleted before and after (default ${DEFAULT-VALUE}).")
    Path directory;

    @Spec
    CommandSpec spec;

    private static final int SENSORS = 1000;

    @Override
    public Integer call() throws IOException
    {
        if (records < 1 || valueBytes < 0 || batchRecords < 1)
        {
            throw new IllegalArgumentException("--records and --batch must be >= 1 and --size >= 0; got "
                + records + ", " + batchRecords + ", " + valueBytes);
        }
        final PrintWriter out = spec.commandLine().getOut();
        IoUtil.delete(directory.toFile(), false);
        final ShardLogConfig config = new ShardLogConfig().directory(directory);
        final int batchBytes = 72 + batchRecords * (24 + 8 + valueBytes);
        config.maxBatchBytes(Math.max(batchBytes, ShardLogConfig.DEFAULT_MAX_BATCH_BYTES));
        try
        {
            out.printf("engine demo: %,d records of %d-byte values in batches of %d into %s%n",
                records, valueBytes, batchRecords, directory);
            try (ShardLog log = ShardLog.open(config))
            {
                report(out, "append", append(log, batchBytes), records, log.retainedBytes());
                report(out, "read", readAll(log), records, log.retainedBytes());
            }
            final long openStartNs = System.nanoTime();
            try (ShardLog log = ShardLog.open(config))
            {
                out.printf("reopen: %s, last offset %,d, took %.1f ms%n", log.recoveryReport().droppedSomething()
                    ? "dropped a tail" : "intact", log.lastOffset(), (System.nanoTime() - openStartNs) / 1e6);
                if (log.lastOffset() != records - 1)
                {
                    throw new IllegalStateException("expected last offset " + (records - 1) + " after reopen, found "
                        + log.lastOffset());
                }
            }
            out.flush();
            return 0;
        }
        finally
        {
            IoUtil.delete(directory.toFile(), false);
        }
    }

    private long append(final ShardLog log, final int batchBytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(batchBytes));
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[valueBytes]);
        final AppendResult result = new AppendResult();
        final long startNs = System.nanoTime();
        long written = 0;
        while (written < records)
        {
            builder.reset();
            final long inBatch = Math.min(batchRecords, records - written);
            for (int i = 0; i < inBatch; i++)
            {
                key.putLong(0, (written + i) % SENSORS); // a gateway's sensors: a bounded key set
                if (valueBytes >= 8)
                {
                    value.putLong(0, written + i);
                }
                builder.tryAppend(startNs, key, 0, 8, value, 0, valueBytes, null);
            }
            log.append(buffer, 0, builder.build(), 0, result);
            if (result.status() != AppendStatus.APPENDED)
            {
                throw new IllegalStateException("append failed: " + result);
            }
            written += inBatch;
        }
        return System.nanoTime() - startNs;
    }

    private long readAll(final ShardLog log)
    {
        final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(4 << 20));
        final RecordBatchFlyweight batch = new RecordBatchFlyweight();
        final long startNs = System.nanoTime();
        long next = 0;
        while (next < log.nextOffset())
        {
            final int length = log.read(next, dst, 0, 4 << 20);
            for (int at = 0; at < length; at += batch.batchLength())
            {
                batch.wrap(dst, at);
                while (batch.nextRecord())
                {
                    final long offset = batch.record().offset();
                    if (offset != next || (valueBytes >= 8 && dst.getLong(batch.record().valueOffset()) != offset))
                    {
                        throw new IllegalStateException("record at offset " + offset + " is not the one written as "
                            + next);
                    }
                    next++;
                }
            }
        }
        return System.nanoTime() - startNs;
    }

    private static void report(final PrintWriter out, final String what, final long durationNs, final long records,
        final long bytes)
    {
        final double seconds = durationNs / 1e9;
        out.printf("%-6s %,12.0f records/s  %8.1f MB/s  (%,d records, %,d bytes in %.3f s)%n",
            what, records / seconds, bytes / seconds / 1e6, records, bytes, seconds);
    }
}
