package io.tributary.bench.load;

/**
 * One second of a run, for the throughput-over-time plot: records acknowledged and sent (the
 * offered load) per second, and Raft entries per second (NaN when not measured).
 */
public record ThroughputPoint(double seconds, double acknowledgedPerSecond, double sentPerSecond,
    double entriesPerSecond)
{
}
