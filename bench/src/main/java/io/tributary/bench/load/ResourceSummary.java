package io.tributary.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a run cost, over its measured interval: Raft entries and how full they were ({@code raft},
 * null for a system without Raft groups) and CPU time ({@code cpu}, null where /proc cannot be
 * read). Part of {@code summary.json}, the last line and the lines printed before it.
 */
public record ResourceSummary(Raft raft, Cpu cpu)
{
    /**
     * Busy share of the machine at or above which a run is called CPU-bound: its latencies include waiting for a core.
     */
    public static final double CPU_BOUND_BUSY_PERCENT = 90;
    /**
     * A status sample spans its whole call, so each end of the interval is known to about one
     * call's duration: past this share of the interval, entries/s deserves a warning.
     */
    private static final double SAMPLE_SHARE_WARNING = 0.02;

    /**
     * Entries, batches and records applied by the shards' leaders between the samples at the
     * start and at the end of the measured interval ({@code seconds} apart). {@code entries} is -1
     * and {@code error} says why when either sample failed.
     */
    public record Raft(double seconds, long entries, long batches, long records, int shardsSkipped, long samples,
        long failedSamples, double sampleMsMean, String error)
    {
        public double entriesPerSecond()
        {
            return entries < 0 || seconds <= 0 ? Double.NaN : entries / seconds;
        }

        public double batchesPerEntry()
        {
            return entries <= 0 ? Double.NaN : (double)batches / entries;
        }

        public double recordsPerEntry()
        {
            return entries <= 0 ? Double.NaN : (double)records / entries;
        }

        String toJson()
        {
            return String.format(Locale.ROOT, "{\"seconds\": %s, \"entries\": %d, \"batches\": %d, \"records\": %d, "
                    + "\"entriesPerSecond\": %s, \"batchesPerEntry\": %s, \"recordsPerEntry\": %s, \"shardsSkipped\": "
                    + "%d, \"samples\": %d, \"failedSamples\": %d, \"sampleMsMean\": %s, \"error\": %s}",
                Json.number(seconds, 3), entries, batches, records, Json.number(entriesPerSecond(), 3),
                Json.number(batchesPerEntry(), 3), Json.number(recordsPerEntry(), 3), shardsSkipped, samples,
                    failedSamples,
                Json.number(sampleMsMean, 1), Json.string(error));
        }
    }

    /** One measured process's CPU time over the interval, and its JIT compiler threads' part of it. */
    public record ProcessTime(String name, long pid, double cpuSeconds, double jitSeconds)
    {
        String toJson()
        {
            return String.format(Locale.ROOT, "{\"name\": %s, \"pid\": %d, \"cpuSeconds\": %s, \"jitSeconds\": %s}",
                Json.string(name), pid, Json.number(cpuSeconds, 3), Json.number(jitSeconds, 3));
        }
    }

    /**
     * CPU time of the measured processes over {@code seconds} (the load generator always; the
     * nodes when {@code nodesMeasured}, that is with {@code --local}), per second and per record
     * acknowledged in that interval; the JIT's share of it; the machine's busy share from
     * /proc/stat; load averages at the start of the run (before warm-up) and at the end of the
     * measured interval. {@code unreadable} names processes that could not be read at some sample.
     */
    public record Cpu(double seconds, boolean nodesMeasured, List<ProcessTime> processes, long recordsAcknowledged,
        double valueBytesPerSecond, double machineBusyPercent, ProcStat.LoadAverages loadAverageStart,
        ProcStat.LoadAverages loadAverageEnd, List<String> unreadable)
    {
        public Cpu
        {
            processes = List.copyOf(processes);
            unreadable = List.copyOf(unreadable);
        }

        public double cpuSeconds()
        {
            return processes.stream().mapToDouble(ProcessTime::cpuSeconds).sum();
        }

        public double cpuUsPerSecond()
        {
            return seconds <= 0 ? Double.NaN : cpuSeconds() * 1e6 / seconds;
        }

        public double cpuUsPerRecord()
        {
            return recordsAcknowledged <= 0 ? Double.NaN : cpuSeconds() * 1e6 / recordsAcknowledged;
        }

        public double jitPercent()
        {
            final double cpuSeconds = cpuSeconds();
            return cpuSeconds <= 0 ? Double.NaN : 100 * processes.stream().mapToDouble(ProcessTime::jitSeconds)
                .sum() / cpuSeconds;
        }

        public boolean cpuBound()
        {
            return machineBusyPercent >= CPU_BOUND_BUSY_PERCENT;
        }

        String toJson()
        {
            return String.format(Locale.ROOT,
                "{\"seconds\": %s, \"nodesMeasured\": %b, \"cpuSeconds\": %s, \"cpuUsPerSecond\": %s, "
                    + "\"recordsAcknowledged\": %d, \"valueBytesPerSecond\": %s, \"cpuUsPerRecord\": %s, "
                    + "\"jitPercent\": %s, \"machineBusyPercent\": %s, \"cpuBound\": %b, \"loadAverageStart\": %s, "
                    + "\"loadAverageEnd\": %s, \"unreadable\": [%s],%n      \"processes\": [%s]}",
                Json.number(seconds, 3), nodesMeasured, Json.number(cpuSeconds(), 3), Json.number(cpuUsPerSecond(), 0),
                recordsAcknowledged, Json.number(valueBytesPerSecond, 0), Json.number(cpuUsPerRecord(), 2),
                Json.number(jitPercent(), 2), Json.number(machineBusyPercent, 2), cpuBound(), loadAverageStart.toJson(),
                loadAverageEnd.toJson(), unreadable.stream().map(Json::string).collect(Collectors.joining(", ")),
                processes.stream().map(ProcessTime::toJson)
                    .collect(Collectors.joining(",\n        ", "\n        ", "")));
        }
    }

    public String toJson()
    {
        return String.format(Locale.ROOT, "{%n    \"raft\": %s,%n    \"cpu\": %s%n  }", raft == null ? "null"
            : raft.toJson(), cpu == null ? "null" : cpu.toJson());
    }

    /**
     * What the last line gains: {@code ; 812 entries/s, 3.1 batches and 24.6 records per entry; CPU 41 us/record (busy
     * 63%, JIT 4%)}.
     */
    String oneLine()
    {
        final StringBuilder line = new StringBuilder();
        if (raft != null)
        {
            line.append(raft.entries() < 0 ? "; Raft entries not measured"
                : String.format(Locale.ROOT, "; %,.0f entries/s, %.1f batches and %.1f records per entry",
                    raft.entriesPerSecond(),
                raft.batchesPerEntry(), raft.recordsPerEntry()));
        }
        if (cpu != null)
        {
            line.append(String.format(Locale.ROOT, "; CPU %s us/record (busy %.0f%%, JIT %.0f%%%s)",
                figure(cpu.cpuUsPerRecord()),
                cpu.machineBusyPercent(), cpu.jitPercent(), cpu.nodesMeasured() ? ""
                    : "; load generator only, nodes not measured"));
        }
        return line.toString();
    }

    /** The lines printed before the last one: entries, CPU per process, the CPU-bound verdict, load averages. */
    List<String> report()
    {
        final List<String> lines = new ArrayList<>();
        if (raft != null)
        {
            lines.add(raft.entries() < 0 ? "raft: entries not measured: " + raft.error()
                : String.format(Locale.ROOT,
                    "raft: %,d entries in %.1f s (%,.1f/s) carried %,d batches and %,d records: %.2f batches"
                    + " and %.2f records per entry%s", raft.entries(), raft.seconds(), raft.entriesPerSecond(),
                        raft.batches(),
                raft.records(), raft.batchesPerEntry(), raft.recordsPerEntry(), raft.failedSamples() > 0
                    ? String.format(Locale.ROOT, " (%d of %d samples failed, the first: %s)", raft.failedSamples(),
                    raft.samples(), raft.error()) : ""));
            if (raft.entries() >= 0 && raft.sampleMsMean() > SAMPLE_SHARE_WARNING * raft.seconds() * 1000)
            {
                lines.add(String.format(Locale.ROOT,
                    "warning: a status sample of the cluster took %,.0f ms on average, so entries/s over"
                    + " %.1f s is uncertain by about %.0f%% (batches and records per entry are not): run longer",
                        raft.sampleMsMean(),
                    raft.seconds(), 100 * raft.sampleMsMean() / (raft.seconds() * 1000)));
            }
        }
        if (cpu != null)
        {
            lines.add(String.format(Locale.ROOT,
                "cpu: %s us per acknowledged record, %.2f cores over %.1f s (%s), JIT %.1f%% of it%s",
                figure(cpu.cpuUsPerRecord()), cpu.cpuSeconds() / cpu.seconds(), cpu.seconds(), cpu.processes().stream()
                    .map(p -> String.format(Locale.ROOT, "%s %.2f", p.name(), p.cpuSeconds() / cpu.seconds()))
                    .collect(Collectors.joining(", ")), cpu.jitPercent(),
                cpu.nodesMeasured() ? "" : "; nodes not measured (a remote cluster: only this process is)"));
            if (!cpu.unreadable().isEmpty())
            {
                lines.add("warning: could not read the CPU time of " + cpu.unreadable()
                    + " at some sample (exited?): their time" + " after that is missing");
            }
            lines.add(String.format(Locale.ROOT, "CPU-bound: %s (busy %.0f%%)", cpu.cpuBound() ? "yes" : "no",
                cpu.machineBusyPercent()));
            lines.add("load average: " + cpu.loadAverageStart() + " at the start, " + cpu.loadAverageEnd()
                + " at the end");
        }
        return lines;
    }

    /** A figure for people: one decimal below 10, none above; "-" when not measured. */
    static String figure(final double value)
    {
        if (!Double.isFinite(value))
        {
            return "-";
        }
        return String.format(Locale.ROOT, Math.abs(value) < 10 ? "%.1f" : "%,.0f", value);
    }
}
