package io.tributary.bench.kafka;

import io.tributary.bench.compare.ChildRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The side-by-side table: medians over runs, ratios Tributary / Kafka at matching durability, the
 * machine's load per run, and the section of docs/benchmarks.md between the markers. Pure
 * functions of the run results, so they are tested without running anything.
 */
final class CompareReport
{
    static final String START_MARKER = "<!-- compare-kafka:start -->";
    static final String END_MARKER = "<!-- compare-kafka:end -->";
    static final String SECTION_HEADING = "## Side by side with Kafka (`bench compare-kafka`)";
    static final String MISSING = "—";

    /** The column pairs, Tributary first: the ratio compares each pair. */
    static final List<SystemConfiguration[]> PAIRS = List.of(
        new SystemConfiguration[] {SystemConfiguration.TRIBUTARY_FSYNC, SystemConfiguration.KAFKA_ACKS_ALL_FLUSH},
        new SystemConfiguration[] {SystemConfiguration.TRIBUTARY_NOFSYNC, SystemConfiguration.KAFKA_ACKS_ALL});

    /** A row: a number read from each run's summary.json at {@code path}. */
    record Metric(String label, Experiment experiment, List<String> path, String format, boolean onlyIfNonZero)
    {
        Metric(final String label, final Experiment experiment, final List<String> path, final String format)
        {
            this(label, experiment, path, format, false);
        }
    }

    private CompareReport()
    {
    }

    /**
     * CPU time of every measured process per acknowledged record; a run that measured the load generator only (an
     * older Kafka run, before the brokers' pids were passed on) says nothing comparable and is left out.
     */
    static final List<String> CPU_PER_RECORD = List.of("resources", "cpu", "cpuUsPerRecord");

    static List<Metric> metrics(final int rate)
    {
        final String at = String.format(Locale.ROOT, " at %,d rec/s", rate);
        return List.of(
            new Metric("produce p50 (µs)" + at, Experiment.RATE, List.of("produceLatencyUs", "p50"), "%,.0f"),
            new Metric("produce p99 (µs)" + at, Experiment.RATE, List.of("produceLatencyUs", "p99"), "%,.0f"),
            new Metric("produce p99.9 (µs)" + at, Experiment.RATE, List.of("produceLatencyUs", "p999"), "%,.0f"),
            new Metric("produce max (µs)" + at, Experiment.RATE, List.of("produceLatencyUs", "max"), "%,.0f"),
            new Metric("end-to-end p99 (µs)" + at, Experiment.RATE, List.of("endToEndLatencyUs", "p99"), "%,.0f"),
            new Metric("achieved rate (rec/s)", Experiment.RATE, List.of("recordsPerSecond"), "%,.0f"),
            new Metric("failed records" + at, Experiment.RATE, List.of("failed"), "%,.0f", true),
            new Metric("CPU per record (µs, cluster and load generator)" + at, Experiment.RATE, CPU_PER_RECORD,
                "%,.1f"),
            new Metric("max throughput (MB/s)", Experiment.MAX, List.of("megabytesPerSecond"), "%,.1f"),
            new Metric("max throughput (rec/s)", Experiment.MAX, List.of("recordsPerSecond"), "%,.0f"),
            new Metric("CPU per record (µs, cluster and load generator) at max", Experiment.MAX, CPU_PER_RECORD,
                "%,.1f"),
            new Metric("consumer catch-up (MB/s)", Experiment.CATCH_UP, List.of("catchUp", "megabytesPerSecond"),
                "%,.1f"));
    }

    /** The number at {@code path}, NaN if it is absent or null (end-to-end latency when --e2e was not given). */
    static double value(final JsonNode summary, final List<String> path)
    {
        if (path.equals(CPU_PER_RECORD) && !summary.path("resources").path("cpu").path("nodesMeasured")
            .asBoolean(false))
        {
            return Double.NaN;
        }
        JsonNode node = summary;
        for (final String field : path)
        {
            if (node == null || !node.isObject())
            {
                return Double.NaN;
            }
            node = node.get(field);
        }
        return node != null && node.isNumber() ? node.asDouble() : Double.NaN;
    }

    /** The median (mean of the middle two for an even count) of the numbers that are not NaN; NaN if none. */
    static double median(final List<Double> values)
    {
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v)).sorted()
            .toArray();
        if (sorted.length == 0)
        {
            return Double.NaN;
        }
        final int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    static double median(final List<RunResult> results, final SystemConfiguration configuration, final Metric metric)
    {
        return median(results.stream()
            .filter(r -> r.configuration() == configuration && r.experiment() == metric.experiment() && r.ok())
            .map(r -> value(r.summary().json(), metric.path())).toList());
    }

    /** The columns: each selected configuration, in pair order, with a ratio after each complete pair. */
    private static List<SystemConfiguration[]> columnGroups(final List<SystemConfiguration> selected)
    {
        final List<SystemConfiguration[]> groups = new ArrayList<>();
        for (final SystemConfiguration[] pair : PAIRS)
        {
            groups.add(Arrays.stream(pair).filter(selected::contains).toArray(SystemConfiguration[]::new));
        }
        return groups;
    }

    /** The side-by-side table in Markdown: a row per metric measured, a column per configuration, and the ratios. */
    static String table(final List<RunResult> results, final List<SystemConfiguration> selected, final int rate)
    {
        final StringBuilder header = new StringBuilder("| metric (median) |");
        final StringBuilder rule = new StringBuilder("|---|");
        for (final SystemConfiguration[] group : columnGroups(selected))
        {
            for (final SystemConfiguration configuration : group)
            {
                header.append(' ').append(configuration.label).append(" |");
                rule.append("---:|");
            }
            if (group.length == 2)
            {
                header.append(" ratio T/K |");
                rule.append("---:|");
            }
        }
        final StringBuilder table = new StringBuilder().append(header).append('\n').append(rule).append('\n');
        for (final Metric metric : metrics(rate))
        {
            if (results.stream().noneMatch(r -> r.experiment() == metric.experiment()))
            {
                continue;
            }
            final String row = row(results, selected, metric);
            if (row != null)
            {
                table.append(row).append('\n');
            }
        }
        return table.toString();
    }

    /**
     * One row, or null when no run measured the metric (end-to-end latency without --e2e), or only zeros where they say
     * nothing.
     */
    private static String row(final List<RunResult> results, final List<SystemConfiguration> selected,
        final Metric metric)
    {
        final StringBuilder row = new StringBuilder("| ").append(metric.label()).append(" |");
        boolean any = false;
        for (final SystemConfiguration[] group : columnGroups(selected))
        {
            for (final SystemConfiguration configuration : group)
            {
                final double median = median(results, configuration, metric);
                any |= !Double.isNaN(median) && !(metric.onlyIfNonZero() && median == 0);
                row.append(' ').append(format(metric.format(), median)).append(" |");
            }
            if (group.length == 2)
            {
                row.append(' ').append(ratio(median(results, group[0], metric), median(results, group[1], metric)))
                    .append(" |");
            }
        }
        return any ? row.toString() : null;
    }

    static String format(final String format, final double value)
    {
        return Double.isNaN(value) ? MISSING : String.format(Locale.ROOT, format, value);
    }

    static String ratio(final double tributary, final double kafka)
    {
        if (Double.isNaN(tributary) || Double.isNaN(kafka) || kafka == 0)
        {
            return MISSING;
        }
        return String.format(Locale.ROOT, "%.2f", tributary / kafka);
    }

    /** Per experiment and configuration, each run's mean CPU busy % and maximum 1-minute load average. */
    static String loadTable(final List<RunResult> results, final List<SystemConfiguration> selected)
    {
        final StringBuilder table = new StringBuilder("| experiment |");
        final StringBuilder rule = new StringBuilder("|---|");
        for (final SystemConfiguration configuration : selected)
        {
            table.append(' ').append(configuration.label).append(" |");
            rule.append("---|");
        }
        table.append('\n').append(rule).append('\n');
        for (final Experiment experiment : Experiment.values())
        {
            if (results.stream().noneMatch(r -> r.experiment() == experiment))
            {
                continue;
            }
            table.append("| ").append(experiment.mode).append(" |");
            for (final SystemConfiguration configuration : selected)
            {
                table.append(' ').append(results.stream()
                    .filter(r -> r.configuration() == configuration && r.experiment() == experiment)
                    .map(CompareReport::loadCell).collect(Collectors.joining("; "))).append(" |");
            }
            table.append('\n');
        }
        return table.toString();
    }

    private static String loadCell(final RunResult result)
    {
        final String load = Double.isNaN(result.load().cpuBusyPercentMean()) ? "n/a"
            : String.format(Locale.ROOT, "%.0f%% / %.1f", result.load().cpuBusyPercentMean(), result.load()
                .loadAverageMax());
        return result.ok() ? load : load + " (failed)";
    }

    /**
     * {@code docs} with the text between the markers replaced by {@code section}; markers and a heading appended if
     * missing.
     */
    static String replaceSection(final String docs, final String section)
    {
        return ChildRun.replaceSection(docs, section, SECTION_HEADING, START_MARKER, END_MARKER);
    }
}
