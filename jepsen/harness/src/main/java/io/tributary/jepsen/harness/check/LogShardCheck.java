package io.tributary.jepsen.harness.check;

import io.tributary.jepsen.harness.check.LogOperations.Append;
import io.tributary.jepsen.harness.check.LogOperations.Read;
import io.tributary.jepsen.history.Completion;
import io.tributary.jepsen.history.HistoryRecord;
import io.tributary.jepsen.history.PairedOperation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks of one shard of the log workload (see {@link LogChecker} for what each anomaly means). Every
 * read is a set of observations "value v is at offset o"; every ok append is a claim "v got offset o"; the
 * final read is the reference content. One instance per shard, used once.
 */
final class LogShardCheck
{
    /** "Value v at offset o, seen by this read." */
    private record Seen(long offset, long value, Read read)
{
    }

    /** "At this time the shard had at least this many entries", from an ok append or a read. */
    private record Bound(long timeNs, long length, String what)
{
    }

    private final String shard;
    private final List<Append> appends;
    private final List<Read> reads;
    private final HistoryFile history;
    private final Anomalies anomalies;

    private final Map<Long, Append> appendByValue = new HashMap<>();
    private final Map<Long, Seen> firstAtOffset = new HashMap<>();
    private final Map<Long, Seen> firstOffsetOfValue = new HashMap<>();
    private final Map<Long, Read> earliestReadOfValue = new HashMap<>();
    private final Set<Long> duplicated = new HashSet<>();
    private final Set<Long> reorderedOffsets = new HashSet<>();
    private final Set<Long> lost = new HashSet<>();
    private final boolean retention;
    private Set<Long> reference;
    /** The reference's first offset: 0, or with retention the first offset the shard still had. */
    private long referenceFrom;

    LogShardCheck(final String shard, final List<Append> appends, final List<Read> reads, final HistoryFile history,
        final Anomalies anomalies,
                  final boolean retention)
    {
        this.shard = shard;
        this.retention = retention;
        this.appends = appends;
        this.reads = reads;
        this.history = history;
        this.anomalies = anomalies;
        for (final Append append : appends)
        {
            appendByValue.put(append.value(), append);
        }
    }

    void run()
    {
        checkFinalReads();
        scanReads();
        checkAcknowledgedAppends();
        checkValuesRead();
        checkStaleReads();
    }

    /**
     * Picks the reference content: the final reads must start at 0 (with retention: anywhere, as retention
     * deletes from the front), reach the end, and agree where they overlap.
     */
    private void checkFinalReads()
    {
        long acknowledged = appends.stream().filter(Append::ok).count();
        List<Read> complete = new ArrayList<>();
        for (final Read read : reads)
        {
            if (!read.isFinal())
            {
                continue;
            }
            if ((read.from() != 0 && !retention) || read.end() == null)
            {
                anomalies.add(LogChecker.FINAL_READ, "the final read of shard " + shard + " must start at 0 and reach "
                    + "the end, but " + describe(read) + "; it cannot serve as the reference");
            }
            else
            {
                complete.add(read);
            }
        }
        if (complete.isEmpty())
        {
            if (acknowledged > 0)
            {
                anomalies.add(LogChecker.FINAL_READ, "no final read of shard " + shard + ": its " + acknowledged
                    + " acknowledged appends cannot be checked for loss (did every final read fail or time out?)");
            }
            return;
        }
        Read longest = complete.stream().max(Comparator.comparingLong(Read::lengthSeen)).orElseThrow();
        for (final Read other : complete)
        {
            String difference = firstDifference(longest, other);
            if (difference != null)
            {
                anomalies.add(LogChecker.FINAL_READ, "final reads of shard " + shard + " disagree: " + describe(longest)
                    + " and " + describe(other) + " differ " + difference);
            }
        }
        reference = new HashSet<>(longest.values());
        referenceFrom = longest.from();
    }

    /** Where two complete final reads differ (over the offsets both hold, and in their ends), or null. */
    private static String firstDifference(final Read a, final Read b)
    {
        long from = Math.max(a.from(), b.from());
        long to = Math.min(a.lengthSeen(), b.lengthSeen());
        for (long offset = from; offset < to; offset++)
        {
            Long x = a.values().get((int) (offset - a.from()));
            Long y = b.values().get((int) (offset - b.from()));
            if (!x.equals(y))
            {
                return "at offset " + offset + " (" + x + " vs " + y + ")";
            }
        }
        return a.lengthSeen() == b.lengthSeen() ? null
            : "in length (ends " + a.lengthSeen() + " vs " + b.lengthSeen() + ")";
    }

    /** Duplicates within a read or across reads, and reads that disagree on an offset. */
    private void scanReads()
    {
        for (final Read read : reads)
        {
            Map<Long, Long> offsetInRead = new HashMap<>();
            for (int i = 0; i < read.values().size(); i++)
            {
                long offset = read.from() + i;
                long value = read.values().get(i);
                Long earlier = offsetInRead.putIfAbsent(value, offset);
                if (earlier != null)
                {
                    duplicated(value, "value " + value + " is at offsets " + earlier + " and " + offset + " of shard "
                        + shard + " in one read: " + describe(read));
                }
                Seen seen = new Seen(offset, value, read);
                Seen atOffset = firstAtOffset.putIfAbsent(offset, seen);
                if (atOffset != null && atOffset.value() != value)
                {
                    reorderedOffset(offset, atOffset, seen);
                }
                Seen ofValue = firstOffsetOfValue.putIfAbsent(value, seen);
                if (ofValue != null && ofValue.offset() != offset && earlier == null)
                {
                    duplicated(value, "value " + value + " of shard " + shard + " is at offset " + ofValue.offset()
                        + " in " + describe(ofValue.read()) + " but at offset " + offset + " in " + describe(read));
                }
                Read earliest = earliestReadOfValue.get(value);
                if (earliest == null || read.op().returnTime() < earliest.op().returnTime())
                {
                    earliestReadOfValue.put(value, read);
                }
            }
        }
    }

    private void reorderedOffset(final long offset, final Seen first, final Seen second)
    {
        if (reorderedOffsets.add(offset))
        {
            anomalies.add(LogChecker.REORDERED, "reads disagree on offset " + offset + " of shard " + shard + ": "
                + describe(first.read()) + " saw " + first.value() + ", " + describe(second.read()) + " saw "
                    + second.value());
        }
    }

    private void duplicated(final long value, final String example)
    {
        if (duplicated.add(value))
        {
            anomalies.add(LogChecker.DUPLICATED, example);
        }
    }

    /**
     * Each ok append: its offset is its own, the reads show it there, and the final read has it. An ok
     * offset past the end of the final read shows up as lost (the value is not there) or reordered (it is,
     * elsewhere).
     */
    private void checkAcknowledgedAppends()
    {
        Map<Long, Append> acknowledgedAt = new HashMap<>();
        for (final Append append : appends)
        {
            if (!append.ok())
            {
                continue;
            }
            long offset = append.offset();
            Append other = acknowledgedAt.putIfAbsent(offset, append);
            if (other != null)
            {
                anomalies.add(LogChecker.REORDERED, "two appends were acknowledged offset " + offset + " of shard "
                    + shard + ": " + describe(other) + " and " + describe(append));
            }
            Seen atOffset = firstAtOffset.get(offset);
            Seen ofValue = firstOffsetOfValue.get(append.value());
            if (atOffset != null && atOffset.value() != append.value())
            {
                anomalies.add(LogChecker.REORDERED, describe(append) + " but " + describe(atOffset.read()) + " saw "
                    + atOffset.value() + " at offset " + offset);
            }
            else if (ofValue != null && ofValue.offset() != offset)
            {
                anomalies.add(LogChecker.REORDERED, describe(append) + " but " + describe(ofValue.read())
                    + " saw it at offset " + ofValue.offset());
            }
            if (reference != null && !reference.contains(append.value()) && offset < referenceFrom)
            {
                // Retention deleted it (the final read starts after it): gone by design, not lost.
                anomalies.add(LogChecker.RETAINED, describe(append) + ", below " + referenceFrom
                    + ", the first offset shard " + shard + " kept");
            }
            else if (reference != null && !reference.contains(append.value()))
            {
                lost.add(append.value());
                anomalies.add(LogChecker.LOST, describe(append) + " but the final read of shard " + shard
                    + " does not have it");
            }
        }
    }

    /**
     * Each value read: it was appended to this shard, not definitely failed, not before its append was
     * invoked, and, having been visible (so committed), it is still in the final read.
     */
    private void checkValuesRead()
    {
        for (final Seen seen : firstOffsetOfValue.values())
        {
            long value = seen.value();
            Append append = appendByValue.get(value);
            Read earliest = earliestReadOfValue.get(value);
            if (append == null)
            {
                anomalies.add(LogChecker.PHANTOM, describe(seen.read()) + " saw " + value + " at offset "
                    + seen.offset() + ", which was never appended to shard " + shard);
            }
            else if (append.op().completion() == Completion.FAILED)
            {
                anomalies.add(LogChecker.PHANTOM, describe(seen.read()) + " saw " + value + " at offset "
                    + seen.offset() + ", but " + describe(append) + " (a definite failure)");
            }
            else if (earliest.op().returnTime() < append.op().callTime())
            {
                anomalies.add(LogChecker.PHANTOM, describe(earliest) + " saw " + value + " before " + describe(append)
                    + " was even invoked");
            }
            if (reference != null && !reference.contains(value) && !lost.contains(value)
                && seen.offset() >= referenceFrom)
            {
                lost.add(value);
                anomalies.add(LogChecker.LOST, describe(seen.read()) + " saw " + value + " at offset " + seen.offset()
                    + " (so it was committed) but the final read of shard " + shard + " does not have it");
            }
        }
    }

    /**
     * A read that claims an end must not end before what was known to exist when it was invoked: an ok
     * append's offset, or what an earlier completed read saw. Followers may lag (staleFollower, allowed), but
     * a process's own reads must not go backwards. Final reads are not checked here: what they miss is lost.
     */
    private void checkStaleReads()
    {
        List<Bound> bounds = bounds();
        long[] boundTimes = bounds.stream().mapToLong(Bound::timeNs).toArray();
        Bound[] maxUpTo = new Bound[bounds.size()];
        for (int i = 0; i < bounds.size(); i++)
        {
            Bound previous = i == 0 ? null : maxUpTo[i - 1];
            maxUpTo[i] = previous != null && previous.length() >= bounds.get(i).length() ? previous : bounds.get(i);
        }
        Map<Long, Read> furthestOfProcess = new HashMap<>();
        for (final Read read : reads)
        {
            Read furthest = furthestOfProcess.get(read.op().process());
            // A process bounds its follower reads by the applied index its protocol-level reads returned; a
            // consumer read returns none, so what it saw does not bind the process's later follower reads.
            if (!read.consumer() && (furthest == null || read.lengthSeen() > furthest.lengthSeen()))
            {
                furthestOfProcess.put(read.op().process(), read);
            }
            // A final read shorter than what was known is reported as lost (the values it misses), once.
            if (read.end() == null || read.isFinal())
            {
                continue;
            }
            if (!read.linearizable() && furthest != null && read.end() < furthest.lengthSeen())
            {
                anomalies.add(LogChecker.STALE, "a follower read went backwards: " + describe(read) + " after the same "
                    + "process's " + describe(furthest) + " saw " + furthest.lengthSeen() + " entries");
                continue;
            }
            int before = lastBefore(boundTimes, read.op().callTime());
            if (before >= 0 && maxUpTo[before].length() > read.end())
            {
                anomalies.add(read.linearizable() ? LogChecker.STALE : LogChecker.STALE_FOLLOWER, describe(read)
                    + " but before it was invoked " + maxUpTo[before].what() + ", so shard " + shard + " had at least "
                    + maxUpTo[before].length() + " entries");
            }
        }
    }

    private List<Bound> bounds()
    {
        List<Bound> bounds = new ArrayList<>();
        for (final Append append : appends)
        {
            if (append.ok())
            {
                bounds.add(new Bound(append.op().returnTime(), append.offset() + 1, describe(append)));
            }
        }
        for (final Read read : reads)
        {
            bounds.add(new Bound(read.op().returnTime(), read.lengthSeen(), describe(read)));
        }
        bounds.sort(Comparator.comparingLong(Bound::timeNs));
        return bounds;
    }

    /** The index of the last time strictly before {@code timeNs} (touching intervals are concurrent), or -1. */
    private static int lastBefore(final long[] sortedTimes, final long timeNs)
    {
        int low = 0;
        int high = sortedTimes.length - 1;
        int found = -1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            if (sortedTimes[mid] < timeNs)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return found;
    }

    private String describe(final Append append)
    {
        PairedOperation op = append.op();
        String outcome;
        if (append.ok())
        {
            outcome = "was acknowledged offset " + append.offset();
        }
        else if (op.completion() == Completion.FAILED)
        {
            HistoryRecord completion = history.completionOf(op);
            outcome = "failed (" + (completion == null ? "" : completion.error()) + ")";
        }
        else
        {
            outcome = "ended unknown";
        }
        return "append " + append.value() + " to shard " + shard + " by process " + op.process() + " " + when(op)
            + " " + outcome;
    }

    private String describe(final Read read)
    {
        String kind = read.isFinal() ? "final read" : (read.linearizable() ? "linearizable" : "follower") + " read";
        return "process " + read.op().process() + "'s " + kind + " from " + read.from() + " " + when(read.op()) + " ("
            + read.values().size() + " values, end " + (read.end() == null ? "not reached" : read.end()) + ")";
    }

    private String when(final PairedOperation op)
    {
        String returned = op.completion() == Completion.INDETERMINATE ? "?"
            : String.format("%.3f", history.seconds(op.returnTime()));
        return String.format("[%.3f-%ss, lines %d-%d]", history.seconds(op.callTime()), returned, op.invokeLine(),
            op.completionLine());
    }
}
