package io.tributary.bench.load;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/** Percentiles of one latency histogram (recorded in nanoseconds), in microseconds. */
public record LatencySummary(long count, long p50Us, long p90Us, long p99Us, long p999Us, long p9999Us, long maxUs,
    double meanUs)
{
    public static LatencySummary of(final Histogram histogramNs)
    {
        return new LatencySummary(histogramNs.getTotalCount(),
            percentileUs(histogramNs, 50), percentileUs(histogramNs, 90), percentileUs(histogramNs, 99),
            percentileUs(histogramNs, 99.9), percentileUs(histogramNs, 99.99), histogramNs.getTotalCount() == 0 ? 0
                : histogramNs.getMaxValue() / 1000,
            histogramNs.getTotalCount() == 0 ? 0 : histogramNs.getMean() / 1000.0);
    }

    static long percentileUs(final Histogram histogramNs, final double percentile)
    {
        return histogramNs.getTotalCount() == 0 ? 0 : histogramNs.getValueAtPercentile(percentile) / 1000;
    }

    String toJson()
    {
        return String.format(Locale.ROOT,
            "{\"count\":%d,\"p50\":%d,\"p90\":%d,\"p99\":%d,\"p999\":%d,\"p9999\":%d,\"max\":%d,\"mean\":%.1f}",
            count, p50Us, p90Us, p99Us, p999Us, p9999Us, maxUs, meanUs);
    }
}
