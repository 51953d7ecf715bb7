package io.tributary.bench.load;

import java.util.Locale;

/**
 * The outcome of one run, written as {@code summary.json} (the schema scripts and
 * {@code compare-kafka} read) and printed as the one-line summary.
 */
public record LoadSummary(
    String system,
    String mode,
    String durability,
    int rateTarget,
    int recordBytes,
    int shards,
    int replicationFactor,
    int producers,
    int keys,
    String keyDistribution,
    double durationSeconds,
    double warmupSeconds,
    long seed,
    long intended,
    long acknowledged,
    long failed,
    long unsent,
    double recordsPerSecond,
    double megabytesPerSecond,
    LatencySummary produceLatencyUs,
    LatencySummary endToEndLatencyUs,
    CatchUp catchUp,
    ResourceSummary resources)
{
    /** Consumer catch-up: everything in the stream read from offset 0. */
    public record CatchUp(long records, long bytes, double seconds, double megabytesPerSecond)
    {
        String toJson()
        {
            return String.format(Locale.ROOT,
                "{\"records\":%d,\"bytes\":%d,\"seconds\":%.3f,\"megabytesPerSecond\":%.2f}",
                records, bytes, seconds, megabytesPerSecond);
        }
    }

    public String toJson()
    {
        return String.format(Locale.ROOT, "{%n  \"system\": \"%s\", \"mode\": \"%s\", \"durability\": \"%s\",%n  "
                + "\"rateTarget\": %d, \"recordBytes\": %d, \"shards\": %d, \"replicationFactor\": %d, \"producers\": "
                + "%d,%n  \"keys\": %d, \"keyDistribution\": \"%s\", \"durationSeconds\": %.3f, \"warmupSeconds\": "
                + "%.3f, \"seed\": %d,%n  \"intended\": %d, \"acknowledged\": %d, \"failed\": %d, \"unsent\": %d,%n  "
                + "\"recordsPerSecond\": %.1f, \"megabytesPerSecond\": %.3f,%n  \"produceLatencyUs\": %s,%n  "
                + "\"endToEndLatencyUs\": %s,%n  \"catchUp\": %s,%n  \"resources\": %s%n}%n",
            system, mode, durability, rateTarget, recordBytes, shards, replicationFactor, producers, keys,
                keyDistribution,
            durationSeconds, warmupSeconds, seed, intended, acknowledged, failed, unsent, recordsPerSecond,
                megabytesPerSecond,
            produceLatencyUs == null ? "null" : produceLatencyUs.toJson(),
            endToEndLatencyUs == null ? "null" : endToEndLatencyUs.toJson(),
            catchUp == null ? "null" : catchUp.toJson(),
            resources == null ? "null" : resources.toJson());
    }

    /**
     * The last line a run prints: rate achieved and p50/p99/p99.9/max in microseconds, then Raft
     * entries per second and their fill, and CPU per record with the machine's busy and JIT shares.
     */
    public String oneLine()
    {
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
            "summary: %s %s %s: %,.0f records/s (%.1f MB/s)", system, mode, durability, recordsPerSecond,
                megabytesPerSecond));
        if (mode.equals("rate"))
        {
            line.append(String.format(Locale.ROOT, " of %,d targeted", rateTarget));
        }
        if (produceLatencyUs != null && produceLatencyUs.count() > 0)
        {
            line.append(String.format(Locale.ROOT, "; produce latency us p50 %d p99 %d p99.9 %d max %d",
                produceLatencyUs.p50Us(), produceLatencyUs.p99Us(), produceLatencyUs.p999Us(),
                    produceLatencyUs.maxUs()));
        }
        if (endToEndLatencyUs != null && endToEndLatencyUs.count() > 0)
        {
            line.append(String.format(Locale.ROOT, "; end-to-end us p50 %d p99 %d p99.9 %d max %d",
                endToEndLatencyUs.p50Us(), endToEndLatencyUs.p99Us(), endToEndLatencyUs.p999Us(),
                    endToEndLatencyUs.maxUs()));
        }
        if (catchUp != null)
        {
            line.append(String.format(Locale.ROOT, "; catch-up %.1f MB/s (%,d records in %.1f s)",
                catchUp.megabytesPerSecond(), catchUp.records(), catchUp.seconds()));
        }
        if (failed > 0)
        {
            line.append(String.format(Locale.ROOT, "; %,d failed", failed));
        }
        if (unsent > 0)
        {
            line.append(String.format(Locale.ROOT, "; %,d not sent in time", unsent));
        }
        if (resources != null)
        {
            line.append(resources.oneLine());
        }
        return line.toString();
    }
}
