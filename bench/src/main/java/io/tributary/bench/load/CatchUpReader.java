package io.tributary.bench.load;

import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;

/**
 * Reads a filled stream from offset 0 as fast as the system serves it: the consumer catch-up
 * a benchmarker cares about after an outage. Stops when it has read {@code expectedRecords} or
 * when nothing arrives for {@code idleTimeoutNs} (then the summary says how much was missing).
 */
final class CatchUpReader implements LoadSource.ValueHandler
{
    private long records;
    private long bytes;

    LoadSummary.CatchUp read(final LoadSource source, final long expectedRecords, final long idleTimeoutNs,
        final PrintWriter out) throws Exception
    {
        final long startNs = System.nanoTime();
        long lastProgressNs = startNs;
        long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(1);
        long reportedBytes = 0;
        while (records < expectedRecords)
        {
            final int polled = source.poll(100, this);
            final long nowNs = System.nanoTime();
            if (polled > 0)
            {
                lastProgressNs = nowNs;
            }
            else if (nowNs - lastProgressNs > idleTimeoutNs)
            {
                out.printf("catch-up: nothing new for %d s with %,d of %,d records read; stopping%n",
                    TimeUnit.NANOSECONDS.toSeconds(idleTimeoutNs), records, expectedRecords);
                break;
            }
            if (nowNs - nextReportNs >= 0)
            {
                out.printf("  catch-up %,d of %,d records, %.1f MB/s%n", records, expectedRecords,
                    (bytes - reportedBytes) / 1e6);
                out.flush();
                reportedBytes = bytes;
                nextReportNs += TimeUnit.SECONDS.toNanos(1);
            }
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        return new LoadSummary.CatchUp(records, bytes, seconds, bytes / 1e6 / seconds);
    }

    @Override
    public void onValue(final DirectBuffer buffer, final int offset, final int length)
    {
        records++;
        bytes += length;
    }
}
