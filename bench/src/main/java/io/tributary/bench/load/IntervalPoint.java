package io.tributary.bench.load;

import org.HdrHistogram.Histogram;

/** One second of a run, for the latency-over-time plot: latencies in microseconds. */
public record IntervalPoint(double seconds, long count, long p50Us, long p99Us, long p999Us, long maxUs,
    long endToEndP99Us)
{
    static IntervalPoint of(final double seconds, final Histogram produceNs, final Histogram endToEndNs)
    {
        return new IntervalPoint(seconds, produceNs.getTotalCount(), LatencySummary.percentileUs(produceNs, 50),
            LatencySummary.percentileUs(produceNs, 99), LatencySummary.percentileUs(produceNs, 99.9),
                produceNs.getMaxValue() / 1000,
            endToEndNs == null ? -1 : LatencySummary.percentileUs(endToEndNs, 99));
    }
}
