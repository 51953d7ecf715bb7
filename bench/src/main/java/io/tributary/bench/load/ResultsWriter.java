package io.tributary.bench.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * Writes a run's results into its folder: {@code summary.json}, {@code produce.hgrm} and
 * {@code e2e.hgrm} (HdrHistogram percentile distributions, microseconds, for the HdrHistogram
 * plotter), {@code percentiles.svg}, {@code latency-over-time.svg}, {@code throughput-over-time.svg}
 * and {@code report.html} (self-contained: the plots inline). The {@code .hlog} interval logs are
 * written during the run.
 */
public final class ResultsWriter
{
    private ResultsWriter()
    {
    }

    static void write(final Path dir, final LoadSummary summary, final Histogram produce, final Histogram endToEnd,
        final List<IntervalPoint> intervals, final List<ThroughputPoint> throughput) throws IOException
    {
        Files.writeString(dir.resolve("summary.json"), summary.toJson());
        Files.writeString(dir.resolve("produce.hgrm"), distribution(produce));
        final List<SvgPlots.Series> series = new ArrayList<>();
        series.add(new SvgPlots.Series("produce", produce));
        if (endToEnd != null)
        {
            Files.writeString(dir.resolve("e2e.hgrm"), distribution(endToEnd));
            series.add(new SvgPlots.Series("end-to-end", endToEnd));
        }
        final String title = String.format(Locale.ROOT, "%s %s, %s, %d B", summary.system(), summary.durability(),
            summary.mode().equals("rate") ? String.format(Locale.ROOT, "%,d records/s", summary.rateTarget())
            : summary.mode(), summary.recordBytes());
        final String percentiles = SvgPlots.percentilePlot("Latency by percentile: " + title, series);
        final String overTime = SvgPlots.timePlot("Produce latency over time: " + title,
            overTime(intervals, endToEnd != null));
        final String rates = SvgPlots.ratePlot("Throughput over time: " + title, "per second",
            rates(summary, throughput));
        Files.writeString(dir.resolve("percentiles.svg"), percentiles);
        Files.writeString(dir.resolve("latency-over-time.svg"), overTime);
        Files.writeString(dir.resolve("throughput-over-time.svg"), rates);
        Files.writeString(dir.resolve("report.html"), html(summary, percentiles, overTime, rates));
    }

    /** Acknowledged and sent records per second, the target in rate mode, and Raft entries per second when measured. */
    private static List<SvgPlots.RateSeries> rates(final LoadSummary summary, final List<ThroughputPoint> throughput)
    {
        final int n = throughput.size();
        final double[] seconds = new double[n];
        final double[][] values = new double[4][n];
        boolean entriesMeasured = false;
        for (int i = 0; i < n; i++)
        {
            final ThroughputPoint point = throughput.get(i);
            seconds[i] = point.seconds();
            values[0][i] = point.acknowledgedPerSecond();
            values[1][i] = point.sentPerSecond();
            values[2][i] = summary.rateTarget();
            values[3][i] = point.entriesPerSecond();
            entriesMeasured |= Double.isFinite(point.entriesPerSecond());
        }
        final List<SvgPlots.RateSeries> series = new ArrayList<>(List.of(
            new SvgPlots.RateSeries("acknowledged records", seconds, values[0]),
            new SvgPlots.RateSeries("sent records (offered)", seconds, values[1])));
        if (summary.rateTarget() > 0)
        {
            series.add(new SvgPlots.RateSeries("target rate", seconds, values[2]));
        }
        if (entriesMeasured)
        {
            series.add(new SvgPlots.RateSeries("Raft entries", seconds, values[3]));
        }
        return series;
    }

    /** The HdrHistogram percentile distribution text, in microseconds. */
    public static String distribution(final Histogram histogramNs)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            histogramNs.outputPercentileDistribution(stream, 5, 1000.0);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static List<SvgPlots.TimeSeries> overTime(final List<IntervalPoint> intervals, final boolean endToEnd)
    {
        final int n = intervals.size();
        final double[] seconds = new double[n];
        final double[][] values = new double[5][n];
        for (int i = 0; i < n; i++)
        {
            final IntervalPoint point = intervals.get(i);
            seconds[i] = point.seconds();
            values[0][i] = point.p50Us();
            values[1][i] = point.p99Us();
            values[2][i] = point.p999Us();
            values[3][i] = point.maxUs();
            values[4][i] = point.endToEndP99Us();
        }
        final List<SvgPlots.TimeSeries> series = new ArrayList<>(List.of(
            new SvgPlots.TimeSeries("p50", seconds, values[0]),
            new SvgPlots.TimeSeries("p99", seconds, values[1]),
            new SvgPlots.TimeSeries("p99.9", seconds, values[2]),
            new SvgPlots.TimeSeries("max", seconds, values[3])));
        if (endToEnd)
        {
            series.add(new SvgPlots.TimeSeries("end-to-end p99", seconds, values[4]));
        }
        return series;
    }

    private static String html(final LoadSummary summary, final String percentiles, final String overTime,
        final String rates)
    {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Tributary bench: "
            + SvgPlots.escape(summary.system())
            + "</title>\n<style>body{font-family:sans-serif;margin:2em} td,th{padding:2px 10px;text-align:right}"
            + " th{text-align:left} pre{background:#f6f6f6;padding:1em}</style></head><body>\n"
            + "<h1>Tributary bench</h1>\n<p>" + SvgPlots.escape(summary.oneLine()) + "</p>\n"
            + latencyTable(summary) + resources(summary.resources()) + percentiles + "\n" + overTime + "\n" + rates
            + "\n<h2>summary.json</h2>\n<pre>" + SvgPlots.escape(summary.toJson()) + "</pre>\n</body></html>\n";
    }

    /** The lines printed before the summary (entries, CPU, CPU-bound, load averages) and CPU per process. */
    private static String resources(final ResourceSummary resources)
    {
        if (resources == null)
        {
            return "";
        }
        final StringBuilder html = new StringBuilder("<p>");
        html.append(String.join("<br>\n", resources.report().stream().map(SvgPlots::escape).toList())).append("</p>\n");
        if (resources.cpu() != null)
        {
            final ResourceSummary.Cpu cpu = resources.cpu();
            html.append("<table><tr><th>process</th><th>pid</th><th>CPU s</th><th>cores</th><th>JIT s</th><th>JIT "
                + "%</th></tr>\n");
            for (final ResourceSummary.ProcessTime process : cpu.processes())
            {
                html.append(String.format(Locale.ROOT,
                    "<tr><th>%s</th><td>%d</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.1f</td></tr>%n",
                    SvgPlots.escape(process.name()), process.pid(), process.cpuSeconds(),
                    process.cpuSeconds() / cpu.seconds(), process.jitSeconds(), process.cpuSeconds() > 0
                    ? 100 * process.jitSeconds() / process.cpuSeconds() : 0.0));
            }
            html.append("</table>\n");
        }
        return html.toString();
    }

    private static String latencyTable(final LoadSummary summary)
    {
        final StringBuilder table = new
            StringBuilder("<table><tr><th>latency (us)</th><th>p50</th><th>p90</th><th>p99</th>"
            + "<th>p99.9</th><th>p99.99</th><th>max</th><th>count</th></tr>\n");
        row(table, "produce", summary.produceLatencyUs());
        row(table, "end-to-end", summary.endToEndLatencyUs());
        return table.append("</table>\n").toString();
    }

    private static void row(final StringBuilder table, final String name, final LatencySummary latency)
    {
        if (latency != null)
        {
            table.append(String.format(Locale.ROOT,
                "<tr><th>%s</th><td>%,d</td><td>%,d</td><td>%,d</td><td>%,d</td><td>%,d</td><td>%,d</td>"
                + "<td>%,d</td></tr>%n", name, latency.p50Us(), latency.p90Us(), latency.p99Us(), latency.p999Us(),
                latency.p9999Us(), latency.maxUs(), latency.count()));
        }
    }
}
