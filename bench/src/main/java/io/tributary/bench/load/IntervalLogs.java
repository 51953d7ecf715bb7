package io.tributary.bench.load;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.file.Path;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * HdrHistogram interval logs ({@code produce.hlog}, {@code e2e.hlog}): one histogram per second
 * of measurement, values in nanoseconds, readable by HistogramLogAnalyzer and HistogramLogProcessor
 * (which show milliseconds: the writer's unit ratio is 10^6).
 */
final class IntervalLogs implements AutoCloseable
{
    private final PrintStream produceStream;
    private final HistogramLogWriter produce;
    private final PrintStream endToEndStream;
    private final HistogramLogWriter endToEnd;

    private IntervalLogs(final PrintStream produceStream, final PrintStream endToEndStream)
    {
        this.produceStream = produceStream;
        this.produce = start(produceStream, "produce latency: intended send time to acknowledgement");
        this.endToEndStream = endToEndStream;
        this.endToEnd = endToEndStream == null ? null
            : start(endToEndStream, "end-to-end latency: intended send time to consumption");
    }

    static IntervalLogs open(final Path dir, final boolean endToEnd) throws FileNotFoundException
    {
        final PrintStream produce = new PrintStream(dir.resolve("produce.hlog").toFile());
        return new IntervalLogs(produce, endToEnd ? new PrintStream(dir.resolve("e2e.hlog").toFile()) : null);
    }

    private static HistogramLogWriter start(final PrintStream stream, final String comment)
    {
        final HistogramLogWriter writer = new HistogramLogWriter(stream);
        final long nowMs = System.currentTimeMillis();
        writer.outputComment("Tributary bench " + comment + "; values in ns");
        writer.outputLogFormatVersion();
        writer.outputStartTime(nowMs);
        writer.setBaseTime(nowMs);
        writer.outputLegend();
        return writer;
    }

    void produce(final Histogram interval)
    {
        produce.outputIntervalHistogram(interval);
    }

    void endToEnd(final Histogram interval)
    {
        if (endToEnd != null)
        {
            endToEnd.outputIntervalHistogram(interval);
        }
    }

    @Override
    public void close()
    {
        produceStream.close();
        if (endToEndStream != null)
        {
            endToEndStream.close();
        }
    }
}
