package io.tributary.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Samples what a run costs while it runs, on two background threads: the CPU side (measured
 * processes, the machine, the load counters; cheap /proc reads) and the Raft side (the cluster's
 * counters, a few round trips that may be slow), each once per second and exactly at the start
 * and end of the measured interval. The reporting thread asks for a progress fragment each second
 * and for the summary at the end. Not for the producer threads: nothing here is on their path.
 */
final class ResourceMonitor implements AutoCloseable
{
    /** What the CPU thread reads at one moment; {@code cpu} is null where /proc cannot be read. */
    record Local(ProcessCpu.Reading cpu, long acknowledged, long sent)
    {
    }

    /** One progress line's figures since the previous one; NaN where not measured. */
    record Progress(double entriesPerSecond, double batchesPerEntry, double recordsPerEntry, double cpuUsPerRecord,
        double busyPercent, double jitPercent, boolean nodesMeasured)
    {
        String text()
        {
            final StringBuilder text = new StringBuilder();
            if (!Double.isNaN(entriesPerSecond))
            {
                text.append(String.format(Locale.ROOT, "  raft %,6.0f entries/s %5s batches %6s records each",
                    entriesPerSecond,
                    oneDecimal(batchesPerEntry), oneDecimal(recordsPerEntry)));
            }
            if (!Double.isNaN(busyPercent))
            {
                text.append(String.format(Locale.ROOT, "  cpu %5s us/record%s busy %3.0f%% jit %3.0f%%",
                    ResourceSummary.figure(cpuUsPerRecord), nodesMeasured ? "" : " (this process)", busyPercent,
                        jitPercent));
            }
            return text.toString();
        }

        /** No entry in that second: no ratio, shown as "-". */
        private static String oneDecimal(final double value)
        {
            return Double.isFinite(value) ? String.format(Locale.ROOT, "%.1f", value) : "-";
        }
    }

    /**
     * The progress line does not wait longer than this for the second's samples: a slow cluster only blanks its
     * figures.
     */
    private static final long PROGRESS_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(300);
    /**
     * Bound on waiting for the end-of-interval samples after the producers finished (a Raft sample may be retrying).
     */
    private static final long MARK_WAIT_NS = TimeUnit.SECONDS.toNanos(30);

    private final ProcessCpu cpu;
    private final boolean nodesMeasured;
    private final ClusterCounters cluster;
    private final int valueBytes;
    private final long startNs;
    private final long measureStartNs;
    private final long endNs;
    private final PeriodicSampler<Local> local;
    private final PeriodicSampler<ClusterCounters.Sample> raft;
    private PeriodicSampler.Point<Local> lastLocal;
    private PeriodicSampler.Point<ClusterCounters.Sample> lastRaft;

    private ResourceMonitor(final ProcessCpu cpu, final boolean nodesMeasured, final ClusterCounters cluster,
        final LoadCounters counters, final int valueBytes, final long startNs, final long measureStartNs,
            final long endNs)
    {
        this.cpu = cpu;
        this.nodesMeasured = nodesMeasured;
        this.cluster = cluster;
        this.valueBytes = valueBytes;
        this.startNs = startNs;
        this.measureStartNs = measureStartNs;
        this.endNs = endNs;
        final boolean procReadable = cpu.available();
        this.local = new PeriodicSampler<>("bench-cpu-sampler", () -> new Local(procReadable ? cpu.read() : null,
            counters.acknowledgedAll.sum(), counters.sent.sum()), startNs, measureStartNs, endNs);
        this.raft = cluster.available()
            ? new PeriodicSampler<>("bench-raft-sampler", cluster::sample, startNs, measureStartNs, endNs) : null;
    }

    /**
     * Starts sampling at {@code startNs} (the run's first send), at {@code measureStartNs} and
     * {@code endNs}, and every second from {@code startNs}. Owns {@code cluster} from now on.
     */
    static ResourceMonitor start(final ProcessCpu cpu, final boolean nodesMeasured, final ClusterCounters cluster,
        final LoadCounters counters, final int valueBytes, final long startNs, final long measureStartNs,
            final long endNs)
    {
        final ResourceMonitor monitor = new ResourceMonitor(cpu, nodesMeasured, cluster, counters, valueBytes, startNs,
            measureStartNs, endNs);
        monitor.local.start();
        if (monitor.raft != null)
        {
            monitor.raft.start();
        }
        return monitor;
    }

    /**
     * The figures since the previous call, from the samples due at {@code tickNs} (or the latest, if they are late).
     */
    Progress progress(final long tickNs) throws InterruptedException
    {
        if (lastLocal == null)
        {
            lastLocal = local.awaitMark(startNs, 0); // the first line counts from the run's start
        }
        if (lastRaft == null && raft != null)
        {
            lastRaft = raft.awaitMark(startNs, 0);
        }
        final long deadlineNs = System.nanoTime() + PROGRESS_WAIT_NS;
        final PeriodicSampler.Point<Local> localNow = local.await(tickNs, PROGRESS_WAIT_NS);
        final PeriodicSampler.Point<ClusterCounters.Sample> raftNow = raft == null ? null
            : raft.await(tickNs, Math.max(0, deadlineNs - System.nanoTime()));
        double entriesPerSecond = Double.NaN;
        double batchesPerEntry = Double.NaN;
        double recordsPerEntry = Double.NaN;
        if (usable(lastRaft, raftNow))
        {
            final ClusterCounters.Delta delta = ClusterCounters.Delta.between(lastRaft.value(), raftNow.value());
            entriesPerSecond = delta.entries() / ((raftNow.takenNs() - lastRaft.takenNs()) / 1e9);
            batchesPerEntry = delta.batchesPerEntry();
            recordsPerEntry = delta.recordsPerEntry();
        }
        double cpuUsPerRecord = Double.NaN;
        double busyPercent = Double.NaN;
        double jitPercent = Double.NaN;
        if (usable(lastLocal, localNow) && localNow.value().cpu() != null)
        {
            final ProcessCpu.Reading before = lastLocal.value().cpu();
            final ProcessCpu.Reading after = localNow.value().cpu();
            final long cpuTicks = sum(after.cpuTicks()) - sum(before.cpuTicks());
            final long acknowledged = localNow.value().acknowledged() - lastLocal.value().acknowledged();
            cpuUsPerRecord = acknowledged == 0 ? Double.NaN : cpuTicks * 1e6 / cpu.ticksPerSecond() / acknowledged;
            busyPercent = before.machineJiffies() == null || after.machineJiffies() == null ? Double.NaN
                : ProcStat.busyPercent(before.machineJiffies(), after.machineJiffies());
            jitPercent = cpuTicks == 0 ? 0 : 100.0 * (sum(after.jitTicks()) - sum(before.jitTicks())) / cpuTicks;
        }
        if (localNow != null && localNow.value() != null)
        {
            lastLocal = localNow;
        }
        if (raftNow != null && raftNow.value() != null)
        {
            lastRaft = raftNow;
        }
        return new Progress(entriesPerSecond, batchesPerEntry, recordsPerEntry, cpuUsPerRecord, busyPercent, jitPercent,
            nodesMeasured);
    }

    private static <T> boolean usable(final PeriodicSampler.Point<T> before, final PeriodicSampler.Point<T> after)
    {
        return before != null && after != null && before.value() != null && after.value() != null
            && after.takenNs() - before.takenNs() > 0;
    }

    /** Waits for the samples at the end of the measured interval (bounded) and sums the interval up. */
    ResourceSummary summary() throws InterruptedException
    {
        return new ResourceSummary(raft == null ? null : raftSummary(), cpuSummary());
    }

    private ResourceSummary.Raft raftSummary() throws InterruptedException
    {
        final PeriodicSampler.Point<ClusterCounters.Sample> start = raft.awaitMark(measureStartNs, MARK_WAIT_NS);
        final PeriodicSampler.Point<ClusterCounters.Sample> end = raft.awaitMark(endNs, MARK_WAIT_NS);
        if (start == null || end == null || start.value() == null || end.value() == null)
        {
            final String why = start == null || end == null ? "no sample at the " + (start == null ? "start" : "end")
                + " of the measured interval within " + TimeUnit.NANOSECONDS.toSeconds(MARK_WAIT_NS) + " s"
                : "the sample at the " + (start.value() == null ? "start failed: " + start.error() : "end failed: "
                    + end.error());
            return new ResourceSummary.Raft(Double.NaN, -1, -1, -1, 0, raft.samples(), raft.failures(),
                raft.sampleMsMean(), why);
        }
        final ClusterCounters.Delta delta = ClusterCounters.Delta.between(start.value(), end.value());
        return new ResourceSummary.Raft((end.takenNs() - start.takenNs()) / 1e9, delta.entries(), delta.batches(),
            delta.records(),
            delta.shardsSkipped(), raft.samples(), raft.failures(), raft.sampleMsMean(), raft.firstError());
    }

    private ResourceSummary.Cpu cpuSummary() throws InterruptedException
    {
        final PeriodicSampler.Point<Local> first = local.awaitMark(startNs, MARK_WAIT_NS);
        final PeriodicSampler.Point<Local> start = local.awaitMark(measureStartNs, MARK_WAIT_NS);
        final PeriodicSampler.Point<Local> end = local.awaitMark(endNs, MARK_WAIT_NS);
        if (first == null || start == null || end == null || start.value().cpu() == null || end.value().cpu() == null)
        {
            return null; // no /proc (not Linux), or the sampler did not run: nothing to report
        }
        final ProcessCpu.Reading before = start.value().cpu();
        final ProcessCpu.Reading after = end.value().cpu();
        final double ticksPerSecond = cpu.ticksPerSecond();
        final List<ResourceSummary.ProcessTime> processes = new ArrayList<>();
        for (int i = 0; i < cpu.processes().size(); i++)
        {
            final ProcessCpu.Measured process = cpu.processes().get(i);
            processes.add(new ResourceSummary.ProcessTime(process.name(), process.pid(),
                (after.cpuTicks()[i] - before.cpuTicks()[i]) / ticksPerSecond,
                    (after.jitTicks()[i] - before.jitTicks()[i]) / ticksPerSecond));
        }
        final double seconds = (end.takenNs() - start.takenNs()) / 1e9;
        final long acknowledged = end.value().acknowledged() - start.value().acknowledged();
        final double busyPercent = before.machineJiffies() == null || after.machineJiffies() == null ? Double.NaN
            : ProcStat.busyPercent(before.machineJiffies(), after.machineJiffies());
        return new ResourceSummary.Cpu(seconds, nodesMeasured, processes, acknowledged,
            acknowledged * (double)valueBytes / seconds,
            busyPercent, first.value().cpu().loadAverages(), after.loadAverages(), new ArrayList<>(cpu.unreadable()));
    }

    private static long sum(final long[] values)
    {
        long sum = 0;
        for (final long value : values)
        {
            sum += value;
        }
        return sum;
    }

    /** Stops both threads and closes the cluster counters. */
    @Override
    public void close() throws Exception
    {
        try
        {
            local.close();
            if (raft != null)
            {
                raft.close();
            }
        }
        finally
        {
            cluster.close();
        }
    }
}
