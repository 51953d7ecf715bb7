package io.tributary.jepsen.harness.check;

import io.tributary.jepsen.history.Completion;
import io.tributary.jepsen.history.PairedOperation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How available the cluster stayed (issue #14, point 9), from a history alone: for each fault, the
 * time from its heal until the rate of successful operations is back at 90% of its level before the
 * fault ({@code recoveryS}); and the latency of successful operations outside every fault window
 * against inside them. Goals (docs/jepsen.md): back within 5 s of a heal; p99 outside faults within
 * twice a fault-free run's.
 *
 * <p>The level before a fault is the mean rate of successful completions over the
 * {@link #BEFORE_S} seconds before it started (fewer if the run had not been going that long; no level,
 * and no recovery time, for a fault in the first second). Faults that overlap (several nemesis lanes)
 * count as one: the level is the one before the first of them began, and recovery counts from the last
 * heal, when no fault is in effect any more. Recovery is the first moment at or after that heal from
 * which one second holds at least 90% of the level, in 100 ms steps, searched until the next fault
 * begins or the workload ends; null if not found there, and then counted as not recovered only when
 * that span was long enough to be back within the goal ({@link #GOAL_S} and the second that shows it),
 * else as not measured (the next fault came first). A fault window, for the
 * latency split, runs from a fault's start to that heal plus its recovery (to the end of the history
 * when it never recovered); an operation is inside when it overlaps a window, as one in flight when a
 * fault begins waits on it too. The final heal (fault {@code heal}) is not a fault. Stateless.
 */
public final class Availability
{
    static final double BEFORE_S = 5.0;
    /**
     * The first seconds of a run are the JVMs' warm-up (C2 still compiling: p50 near 30 ms in the first second, 2-3 ms
     * after), before any fault: outside the fault windows they count only in {@code p99OutsideFaultsWithWarmupMs}, so
     * that a run with few operations outside faults (several lanes) is not judged by its first second.
     */
    static final double WARMUP_S = 5.0;
    static final double RECOVERED_FRACTION = 0.9;
    /** The goal: back within this many seconds of a heal (docs/jepsen.md). */
    static final double GOAL_S = 5.0;
    private static final long STEP_NS = 100_000_000L;
    private static final long SECOND_NS = 1_000_000_000L;
    private static final String FINAL_HEAL = "heal";

    private Availability()
{
    }

    /**
     * One fault's recovery. {@code preFaultOpsPerS} is null for a fault in the run's first second;
     * {@code measured} is false when no second of operations followed its heal (the run's operations
     * ended first, as for the faults the final heal stops); {@code recoveryS} is null unless it recovered.
     * {@code allClearNs} is when no fault was in effect any more: its own heal, or the last heal of the
     * faults that overlapped it (recovery counts from there, and the level is the one before the first of
     * them began: with two faults at once, a heal that leaves the other in effect is not a return to normal).
     */
    public record FaultRecovery(NemesisInterval fault, Double preFaultOpsPerS, Double recoveryS, boolean measured,
        long allClearNs)
{
    }

    /** Recovery of every fault, in the history's order (the final heal left out). */
    public static List<FaultRecovery> recoveries(final HistoryFile history)
    {
        long[] okTimes = okCompletionTimes(history);
        // The workload's last invocation, not its last completion: an operation still running when the workload
        // stopped invoking (a slow one, answered seconds later) would otherwise open seconds with no invocations at
        // all, in which no fault could count as recovered.
        long lastOkNs = Math.min(okTimes.length == 0 ? history.originNs() : okTimes[okTimes.length - 1],
            lastInvocationNs(history));
        List<NemesisInterval> faults = history.nemesis().stream().filter(f -> !FINAL_HEAL.equals(f.fault())).toList();
        List<FaultRecovery> out = new ArrayList<>();
        for (final NemesisInterval fault : faults)
        {
            long[] span = overlapping(faults, fault);
            long firstStartNs = span[0];
            long allClearNs = span[1];
            boolean allStopped = span[2] == 1;
            long windowStart = Math.max(history.originNs(), firstStartNs - (long)(BEFORE_S * SECOND_NS));
            double windowS = (firstStartNs - windowStart) / 1e9;
            if (windowS < 1.0)
            {
                out.add(new FaultRecovery(fault, null, null, false, allClearNs));
                continue;
            }
            double level = count(okTimes, windowStart, firstStartNs) / windowS;
            // The search ends where the next fault begins (or the workload ends): what follows is that fault's doing.
            long boundNs = Math.min(lastOkNs, nextStartNs(faults, allClearNs));
            Double recovery = null;
            if (allStopped)
            {
                for (long t = allClearNs; t + SECOND_NS <= boundNs; t += STEP_NS)
                {
                    if (count(okTimes, t, t + SECOND_NS) >= RECOVERED_FRACTION * level)
                    {
                        recovery = Math.round((t - allClearNs) / 1e8) / 10.0;
                        break;
                    }
                }
            }
            // Not back, and judged so only when the goal's 5 s (and the second that shows it) were there to be back in.
            boolean measured = allStopped && (recovery != null
                || boundNs - allClearNs >= (long)((GOAL_S + 1) * SECOND_NS));
            out.add(new FaultRecovery(fault, Math.round(level * 10) / 10.0, recovery, measured, allClearNs));
        }
        return out;
    }

    /**
     * The faults that overlap {@code fault}, directly or through one another: {first start, last stop, 1 if every
     * one of them stopped else 0}.
     */
    private static long[] overlapping(final List<NemesisInterval> faults, final NemesisInterval fault)
    {
        long start = fault.startNs();
        long stop = fault.stopNs();
        boolean allStopped = fault.stopped();
        boolean grew = true;
        while (grew)
        {
            grew = false;
            for (final NemesisInterval other : faults)
            {
                if (other.startNs() > stop || other.stopNs() < start)
                {
                    continue;
                }
                long newStart = Math.min(start, other.startNs());
                long newStop = Math.max(stop, other.stopNs());
                boolean newAllStopped = allStopped && other.stopped();
                grew |= newStart != start || newStop != stop || newAllStopped != allStopped;
                start = newStart;
                stop = newStop;
                allStopped = newAllStopped;
            }
        }
        return new long[] {start, stop, allStopped ? 1 : 0};
    }

    /**
     * results.json's "availability": the recoveries, and the latency (ms) of the workload's successful operations
     * (not the final reads) that ran entirely outside every fault window after the warm-up ({@link #WARMUP_S}; with
     * it as well), and of those that overlapped one (invoked inside it, or still running when it began).
     */
    public static Map<String, Object> summary(final HistoryFile history, final List<FaultRecovery> recoveries)
    {
        List<long[]> windows = new ArrayList<>();
        for (final FaultRecovery recovery : recoveries)
        {
            long end = recovery.recoveryS() == null ? (recovery.measured() ? history.endNs() : recovery.allClearNs())
                : recovery.allClearNs() + (long)(recovery.recoveryS() * SECOND_NS);
            windows.add(new long[] {recovery.fault().startNs(), end});
        }
        List<Long> outside = new ArrayList<>();
        List<Long> warmup = new ArrayList<>();
        List<Long> inside = new ArrayList<>();
        long operationsEndNs = finalHealNs(history);
        long warmupEndNs = history.originNs() + (long)(WARMUP_S * SECOND_NS);
        for (final PairedOperation op : history.operations())
        {
            if (op.completion() != Completion.OK || op.callTime() >= operationsEndNs)
            {
                continue;
            }
            boolean in = false;
            for (final long[] window : windows)
            {
                // Any overlap: an operation in flight when a fault began waited on it as much as one invoked during it.
                if (op.callTime() <= window[1] && op.returnTime() > window[0])
                {
                    in = true;
                    break;
                }
            }
            (in ? inside : op.callTime() < warmupEndNs ? warmup : outside).add(op.returnTime() - op.callTime());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        List<Double> times = new ArrayList<>();
        int notRecovered = 0;
        int unmeasured = 0;
        for (final FaultRecovery recovery : recoveries)
        {
            if (recovery.recoveryS() != null)
            {
                times.add(recovery.recoveryS());
            }
            else if (recovery.measured())
            {
                notRecovered++;
            }
            else
            {
                unmeasured++;
            }
        }
        out.put("faults", recoveries.size());
        out.put("unmeasured", unmeasured);
        out.put("recoveryMaxS", times.stream().max(Double::compare).orElse(null));
        out.put("recoveredWithin5s", times.stream().filter(t -> t <= GOAL_S).count());
        out.put("notRecovered", notRecovered);
        out.put("okOutsideFaults", outside.size());
        out.put("p50OutsideFaultsMs", percentileMs(outside, 0.50));
        out.put("p99OutsideFaultsMs", percentileMs(outside, 0.99));
        List<Long> withWarmup = new ArrayList<>(outside);
        withWarmup.addAll(warmup);
        out.put("p99OutsideFaultsWithWarmupMs", percentileMs(withWarmup, 0.99));
        out.put("okInsideFaults", inside.size());
        out.put("p99InsideFaultsMs", percentileMs(inside, 0.99));
        return out;
    }

    private static Double percentileMs(final List<Long> latenciesNs, final double quantile)
    {
        if (latenciesNs.isEmpty())
        {
            return null;
        }
        long[] sorted = latenciesNs.stream().mapToLong(Long::longValue).sorted().toArray();
        int index = (int)Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return Math.round(sorted[Math.max(0, index)] / 1e5) / 10.0;
    }

    /** The start of the first fault after {@code afterNs}, or never. */
    private static long nextStartNs(final List<NemesisInterval> faults, final long afterNs)
    {
        return faults.stream().mapToLong(NemesisInterval::startNs).filter(start -> start > afterNs).min()
            .orElse(Long.MAX_VALUE);
    }

    /** When the final heal began (the final reads follow it), or never. */
    private static long finalHealNs(final HistoryFile history)
    {
        return history.nemesis().stream().filter(fault -> FINAL_HEAL.equals(fault.fault()))
            .mapToLong(NemesisInterval::startNs).min().orElse(Long.MAX_VALUE);
    }

    /** Completions of the workload's operations: those invoked before the final heal (the final reads follow it). */
    private static long[] okCompletionTimes(final HistoryFile history)
    {
        long operationsEndNs = finalHealNs(history);
        long[] times = history.operations().stream()
            .filter(op -> op.completion() == Completion.OK && op.callTime() < operationsEndNs)
            .mapToLong(PairedOperation::returnTime).toArray();
        Arrays.sort(times);
        return times;
    }

    /** When the workload invoked its last operation (the final reads, after the final heal, left out). */
    private static long lastInvocationNs(final HistoryFile history)
    {
        long operationsEndNs = finalHealNs(history);
        return history.operations().stream().mapToLong(PairedOperation::callTime).filter(t -> t < operationsEndNs)
            .max().orElse(history.originNs());
    }

    /** Completions in [fromNs, toNs). */
    private static int count(final long[] sorted, final long fromNs, final long toNs)
    {
        return lowerBound(sorted, toNs) - lowerBound(sorted, fromNs);
    }

    private static int lowerBound(final long[] sorted, final long value)
    {
        int low = 0;
        int high = sorted.length;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (sorted[mid] < value)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }
}
