package io.tributary.engine;

import io.tributary.format.AppendStatus;

import io.tributary.format.RecordBatchBuilder;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Child process of {@link CrashRecoveryTest}: appends batches forever and prints
 * {@code ACK run batch baseOffset recordCount} after each append has returned, i.e. once the
 * batch is in the mapped file and survives the death of this process.
 *
 * <p>With a third argument {@code N}, its clock moves an hour after every N batches, so a new queue file
 * is created every N batches and a kill often lands while Chronicle creates one (creating a file takes
 * milliseconds, an append microseconds). The clock starts {@code 1000 * run} hours ahead, after every
 * file an earlier run made.
 */
public final class CrashingAppender
{
    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]);
        final int run = Integer.parseInt(args[1]);
        final PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 16]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        final AppendResult result = new AppendResult();
        final int rollEveryBatches = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        final SettableClock clock = new SettableClock(System.currentTimeMillis() + run * 1000L * SettableClock.HOUR_MS);
        final ShardLogConfig config = new ShardLogConfig().directory(dir);
        if (rollEveryBatches > 0)
        {
            config.timeProvider(clock);
        }
        try (ShardLog log = ShardLog.open(config))
        {
            out.println("OPEN " + log.nextOffset() + " " + log.recoveryReport());
            out.flush();
            for (int batchNumber = 0; ; batchNumber++)
            {
                builder.reset();
                final int records = 1 + batchNumber % 7;
                for (int r = 0; r < records; r++)
                {
                    builder.tryAppend(batchNumber, ("key" + r).getBytes(StandardCharsets.UTF_8),
                        expectedValue(run, batchNumber, r).getBytes(StandardCharsets.UTF_8));
                }
                final int length = builder.build();
                log.append(buffer, 0, length, 0, result);
                if (result.status() != AppendStatus.APPENDED)
                {
                    throw new IllegalStateException("append failed: " + result);
                }
                out.println("ACK " + run + " " + batchNumber + " " + result.baseOffset() + " " + records);
                out.flush();
                if (rollEveryBatches > 0 && (batchNumber + 1) % rollEveryBatches == 0)
                {
                    clock.advanceMillis(SettableClock.HOUR_MS);
                }
            }
        }
    }



    /** The value a record must have: derived from its run, batch and position alone. */
    static String expectedValue(final int run, final int batchNumber, final int record)
    {
        final int padding = (batchNumber * 31 + record * 7) % 900;
        return "run" + run + "-batch" + batchNumber + "-record" + record + "-" + "x".repeat(padding);
    }
}
