package io.tributary.jepsen.harness.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks a history of the log workload (appends of unique values to shards, reads of ranges, and final
 * reads after every fault is healed) for these anomalies, each counted separately:
 * <ul>
 *   <li><b>lost</b>: an acknowledged append, or a value some read saw (so it was committed), is not in the
 *   final read;</li>
 *   <li><b>duplicated</b>: a value at two offsets (in one read, or across reads), whatever its append's
 *   outcome: an append that ended unknown may be present, but at most once;</li>
 *   <li><b>reordered</b>: reads disagree on the value at an offset, a value is at another offset than its ok
 *   said, or two oks got the same offset;</li>
 *   <li><b>stale</b>: a linearizable read claims an end before an offset acknowledged, or seen by a read
 *   that completed, before it was invoked; or a process's follower read ends before what that process's
 *   earlier reads saw (reads must not go backwards); final reads are left out, what they miss is lost;</li>
 *   <li><b>staleFollower</b>: a follower read that is stale only with respect to other processes: allowed,
 *   followers lag, and counted for information;</li>
 *   <li><b>phantom</b>: a value read that was never appended to the shard, whose append failed definitely,
 *   or that was read before its append was invoked;</li>
 *   <li><b>finalRead</b>: a shard with acknowledged appends has no final read, a final read does not start
 *   at 0 or reach the end, or final reads disagree.</li>
 * </ul>
 * With retention (the run's {@code retentionBytes}), final reads start at the first offset each shard kept;
 * acknowledged appends below it are counted as <b>retainedAway</b> (information), and the checks of loss
 * cover the offsets from there on.
 * Valid iff every count but staleFollower is 0. Stateless; the history is checked in one pass per shard.
 */
public final class LogChecker
{
    public static final String NAME = "log";
    public static final String LOST = "lost";
    public static final String DUPLICATED = "duplicated";
    public static final String REORDERED = "reordered";
    public static final String STALE = "stale";
    public static final String STALE_FOLLOWER = "staleFollower";
    public static final String PHANTOM = "phantom";
    public static final String FINAL_READ = "finalRead";
    /** Information, not an anomaly: acknowledged appends below the first offset retention kept. */
    public static final String RETAINED = "retainedAway";

    private final boolean retention;

    /** A checker for runs without retention: every final read starts at offset 0. */
    public LogChecker()
    {
        this(false);
    }

    /**
     * @param retention whether the stream had retention: final reads then start at the first offset the
     *                  shard kept, and acknowledged appends below it count as retainedAway, not lost
     */
    public LogChecker(final boolean retention)
    {
        this.retention = retention;
    }

    /** The kinds that make a history invalid: all but staleFollower. */
    static final List<String> INVALID_KINDS = List.of(LOST, DUPLICATED, REORDERED, STALE, PHANTOM, FINAL_READ);

    /**
     * Checks the history.
     *
     * @throws IllegalArgumentException if an operation is malformed (the message names the file and lines)
     */
    public LogCheckResult check(final HistoryFile history)
    {
        LogOperations operations = LogOperations.decode(history);
        Anomalies anomalies = new Anomalies();
        for (final String kind : INVALID_KINDS)
        {
            anomalies.declare(kind);
        }
        anomalies.declare(STALE_FOLLOWER);
        if (retention)
        {
            anomalies.declare(RETAINED);
        }
        TreeSet<String> shards = new TreeSet<>(operations.appends.keySet());
        shards.addAll(operations.reads.keySet());
        for (final String shard : shards)
        {
            new LogShardCheck(shard, operations.appends.getOrDefault(shard, List.of()),
                operations.reads.getOrDefault(shard, List.of()), history, anomalies, retention).run();
        }
        Map<String, Long> counts = anomalies.counts();
        List<String> broken = new ArrayList<>();
        for (final String kind : INVALID_KINDS)
        {
            if (counts.get(kind) > 0)
            {
                broken.add(kind);
            }
        }
        return new LogCheckResult(broken.isEmpty() ? Verdict.VALID : Verdict.INVALID, counts, operations.outcomes,
            anomalies.examples(), List.copyOf(shards));
    }
}
