package io.tributary.bench.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The comparison's tables: per experiment and transport the median of the runs, Aeron's ratio to
 * gRPC, and issue #6's goals checked (p99 at most 1/3 of gRPC's at each fixed rate, maximum
 * throughput at least 2x gRPC's); for a transport run with and without TLS ({@code aeron+tls} beside
 * {@code aeron}), the ratio TLS / plain and issue #17's goals (at most 15% less throughput, at most
 * 20% higher p99 with TLS).
 */
final class TransportTable
{
    private final List<String> transports;
    private final List<CompareTransports.Experiment> experiments;
    private final List<CompareTransports.Result> results;

    TransportTable(final List<String> transports, final List<CompareTransports.Experiment> experiments,
        final List<CompareTransports.Result> results)
    {
        this.transports = transports;
        this.experiments = experiments;
        this.results = results;
    }

    /** Median over the successful runs of one transport and experiment; NaN when none succeeded. */
    double median(final String transport, final CompareTransports.Experiment experiment,
        final ToDoubleFunction<RunSummary> metric)
    {
        final double[] values = results.stream()
            .filter(r -> r.ok() && r.run().transport().equals(transport) && r.run().experiment().equals(experiment))
            .mapToDouble(r -> metric.applyAsDouble(r.summary())).sorted().toArray();
        if (values.length == 0)
        {
            return Double.NaN;
        }
        final int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    String markdown()
    {
        final StringBuilder md = new StringBuilder();
        md.append("| experiment | metric |");
        transports.forEach(t -> md.append(' ').append(t).append(" |"));
        final boolean ratio = transports.contains("aeron") && transports.contains("grpc");
        md.append(ratio ? " aeron / grpc |" : "");
        final List<String> tlsPairs = tlsPairs();
        tlsPairs.forEach(t -> md.append(' ').append(t).append(CompareTransports.TLS_SUFFIX).append(" / ").append(t)
            .append(" |"));
        md.append('\n');
        md.append("|---|---|").append("---:|".repeat(transports.size() + (ratio ? 1 : 0) + tlsPairs.size()))
            .append('\n');
        for (final CompareTransports.Experiment experiment : experiments)
        {
            final List<Row> rows = new ArrayList<>();
            rows.add(new Row("records/s", RunSummary::recordsPerSecond, "%,.0f"));
            rows.add(new Row("MB/s", RunSummary::megabytesPerSecond, "%.1f"));
            if (experiment.mode().equals("rate"))
            {
                rows.add(new Row("p50 ms", s -> s.p50Us() / 1e3, "%.2f"));
                rows.add(new Row("p99 ms", s -> s.p99Us() / 1e3, "%.2f"));
                rows.add(new Row("p99.9 ms", s -> s.p999Us() / 1e3, "%.2f"));
                rows.add(new Row("max ms", s -> s.maxUs() / 1e3, "%.1f"));
                rows.add(new Row("unsent", s -> s.unsent(), "%,.0f"));
            }
            for (final Row row : rows)
            {
                md.append("| ").append(experiment.title()).append(" | ").append(row.name).append(" |");
                for (final String transport : transports)
                {
                    md.append(' ').append(format(row.format, median(transport, experiment, row.metric))).append(" |");
                }
                if (ratio)
                {
                    md.append(' ').append(ratioText(experiment, row.metric, "aeron", "grpc")).append(" |");
                }
                for (final String plain : tlsPairs)
                {
                    md.append(' ').append(ratioText(experiment, row.metric, plain + CompareTransports.TLS_SUFFIX,
                        plain)).append(" |");
                }
                md.append('\n');
            }
        }
        return md.toString();
    }

    /** The plain transports that were also run with TLS. */
    private List<String> tlsPairs()
    {
        return transports.stream().filter(t -> !t.endsWith(CompareTransports.TLS_SUFFIX)
            && transports.contains(t + CompareTransports.TLS_SUFFIX)).toList();
    }

    private String ratioText(final CompareTransports.Experiment experiment, final ToDoubleFunction<RunSummary> metric,
        final String numerator, final String denominator)
    {
        final double r = median(numerator, experiment, metric) / median(denominator, experiment, metric);
        return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2f", r) : "—";
    }

    /** The goals of issue #6 (Aeron against gRPC) and #17 (TLS against plain) that the transports run allow. */
    String goals()
    {
        return transportGoals() + tlsGoals();
    }

    /**
     * Issue #17's goals for each transport run with and without TLS: at most 15% less throughput (at each rate and at
     * maximum) and at most 20% higher p99 (at each rate) with TLS.
     */
    String tlsGoals()
    {
        final StringBuilder md = new StringBuilder();
        for (final String plain : tlsPairs())
        {
            final String tls = plain + CompareTransports.TLS_SUFFIX;
            md.append(md.length() == 0 ? "Goals (issue #17, TLS against plain):\n" : "");
            for (final CompareTransports.Experiment experiment : experiments)
            {
                final double throughput = median(tls, experiment, RunSummary::recordsPerSecond)
                    / median(plain, experiment, RunSummary::recordsPerSecond);
                md.append(String.format(Locale.ROOT,
                    "- %s, %s: throughput with TLS %.2f of plain (goal at least 0.85): %s%n", plain,
                    experiment.title(), throughput, throughput >= 0.85 ? "**met**" : "**missed**"));
                if (experiment.mode().equals("rate"))
                {
                    final double tlsP99Us = median(tls, experiment, RunSummary::p99Us);
                    final double plainP99Us = median(plain, experiment, RunSummary::p99Us);
                    final double p99 = tlsP99Us / plainP99Us;
                    md.append(String.format(Locale.ROOT,
                        "- %s, %s: p99 with TLS %.2f ms, plain %.2f ms, ratio %.2f (goal at most 1.20): %s%n", plain,
                        experiment.title(), tlsP99Us / 1e3, plainP99Us / 1e3, p99, p99 <= 1.2 ? "**met**"
                            : "**missed**"));
                }
            }
        }
        return md.toString();
    }

    /** Issue #6's goals, each with the measured ratio and met or missed. */
    String transportGoals()
    {
        if (!transports.contains("aeron") || !transports.contains("grpc"))
        {
            return "";
        }
        final StringBuilder md = new StringBuilder("Goals (issue #6):\n");
        for (final CompareTransports.Experiment experiment : experiments)
        {
            if (experiment.mode().equals("rate"))
            {
                final double aeron = median("aeron", experiment, RunSummary::p99Us);
                final double grpc = median("grpc", experiment, RunSummary::p99Us);
                md.append(String.format(Locale.ROOT,
                    "- p99 at %s: Aeron %.2f ms, gRPC %.2f ms, ratio %.2f (goal at most 0.33): %s%n",
                    experiment.title(), aeron / 1e3, grpc / 1e3, aeron / grpc, aeron <= grpc / 3 ? "**met**"
                        : "**missed**"));
            }
            else
            {
                final double aeron = median("aeron", experiment, RunSummary::recordsPerSecond);
                final double grpc = median("grpc", experiment, RunSummary::recordsPerSecond);
                md.append(String.format(Locale.ROOT,
                    "- maximum throughput: Aeron %,.0f records/s, gRPC %,.0f, ratio %.2f (goal at least 2): %s%n",
                    aeron, grpc, aeron / grpc, aeron >= 2 * grpc ? "**met**" : "**missed**"));
            }
        }
        return md.toString();
    }

    /** Whether some transport has no successful run of some experiment (its column would be empty). */
    boolean anyCellEmpty()
    {
        return experiments.stream().anyMatch(e -> transports.stream()
            .anyMatch(t -> Double.isNaN(median(t, e, RunSummary::recordsPerSecond))));
    }

    /** The failed runs, each with the first line of why: medians leave them out, the reader must know. */
    String failures()
    {
        final StringBuilder md = new StringBuilder();
        for (final CompareTransports.Result r : results)
        {
            if (!r.ok())
            {
                md.append(md.length() == 0 ? "\nFailed runs (left out of the medians):\n" : "").append("- ")
                    .append(r.run().label())
                    .append(": ").append(r.error().lines().filter(l -> !l.isBlank() && !l.contains("WARN"))
                        .reduce((a, b) -> b)
                        .orElse("").strip()).append('\n');
            }
        }
        return md.toString();
    }

    /** Every run, for the results folder. */
    String perRun()
    {
        final StringBuilder md = new StringBuilder("\n| run | result | seconds | cpu busy % |\n|---|---|---:|---:|\n");
        for (final CompareTransports.Result r : results)
        {
            md.append("| ").append(r.run().label()).append(" | ").append(r.ok() ? r.summary().oneLine() : "FAILED: "
                + r.error().lines().findFirst().orElse("")).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f", r.seconds()))
                .append(" | ").append(String.format(Locale.ROOT, "%.0f", r.load().cpuBusyPercentMean())).append(" |\n");
        }
        return md.toString();
    }

    private static String format(final String format, final double value)
    {
        return Double.isNaN(value) ? "—" : String.format(Locale.ROOT, format, value);
    }

    private record Row(String name, ToDoubleFunction<RunSummary> metric, String format)
    {
    }
}
