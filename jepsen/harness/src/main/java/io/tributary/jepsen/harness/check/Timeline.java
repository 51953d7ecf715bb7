package io.tributary.jepsen.harness.check;

import io.tributary.jepsen.history.HistoryRecord;
import io.tributary.jepsen.history.PairedOperation;
import io.tributary.jepsen.history.RecordType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws a run as one self-contained HTML page (inline SVG, no script, no network): per one-second bucket of
 * completion time, the operations that completed ok and those that failed or ended unknown, and the
 * latency (p50, p99, max, in ms on a log scale) of every completed operation, with the nemesis intervals
 * shaded behind both charts (hover for fault and detail). The x axis is seconds since the first record.
 * Stateless and thread-safe.
 */
public final class Timeline
{
    /** Buckets drawn at most: a very long run gets wider buckets rather than an unreadable chart. */
    static final int BUCKETS_MAX = 5_000;
    private static final int LEFT = 70;
    private static final int WIDTH = 1000;
    private static final int RATE_TOP = 30;
    private static final int LATENCY_TOP = 280;
    private static final int PANEL_HEIGHT = 200;
    private static final Map<String, String> FAULT_COLOURS = Map.of("kill", "#d62728", "pause", "#9467bd",
        "partition", "#ff7f0e", "loss", "#8c564b", "disk", "#e377c2", "membership", "#17becf", "transfer", "#bcbd22");

    private Timeline()
{
    }

    /** One bucket: completions and their latencies. */
    private static final class Bucket
    {
        long ok;
        long failOrInfo;
        final List<Double> latenciesMs = new ArrayList<>();

        double percentile(final double p)
        {
            Collections.sort(latenciesMs);
            int index = (int) Math.ceil(p * latenciesMs.size()) - 1;
            return latenciesMs.get(Math.max(0, Math.min(latenciesMs.size() - 1, index)));
        }
    }

    public static void write(final HistoryFile history, final String title, final Path file) throws IOException
    {
        Files.writeString(file, render(history, title), StandardCharsets.UTF_8);
    }

    public static String render(final HistoryFile history, final String title)
    {
        double durationS = Math.max(1, Math.ceil(history.seconds(history.endNs())));
        long bucketS = Math.max(1, (long) Math.ceil(durationS / BUCKETS_MAX));
        Bucket[] buckets = buckets(history, (int) Math.ceil(durationS / bucketS), bucketS);
        StringBuilder svg = new StringBuilder();
        int height = LATENCY_TOP + PANEL_HEIGHT + 60;
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(LEFT + WIDTH + 30)
            .append("\" height=\"").append(height).append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        nemesis(history, durationS, svg);
        rates(buckets, bucketS, durationS, svg);
        latencies(buckets, bucketS, durationS, svg);
        xAxis(durationS, svg);
        svg.append("</svg>\n");
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>\n"
            + "<style>body{font-family:sans-serif;margin:16px} table{border-collapse:collapse;font-size:12px}"
            + " td,th{border:1px solid #ccc;padding:2px 6px;text-align:left} .nemesis rect:hover{opacity:.45}</style>"
            + "</head><body>\n<h2>" + escape(title) + "</h2>\n<p>" + escape(history.source()) + ": "
            + history.operations().size() + " operations over " + fmt(durationS) + " s; buckets of " + bucketS
            + " s. Shaded: nemesis faults (hover for details).</p>\n" + svg + nemesisTable(history)
                + "</body></html>\n";
    }

    private static Bucket[] buckets(final HistoryFile history, final int count, final long bucketS)
    {
        Bucket[] buckets = new Bucket[Math.max(1, count)];
        for (int i = 0; i < buckets.length; i++)
        {
            buckets[i] = new Bucket();
        }
        for (final PairedOperation op : history.operations())
        {
            HistoryRecord completion = history.completionOf(op);
            if (completion == null)
            {
                continue;
            }
            long doneNs = completion.time().getAsLong();
            int index = (int) Math.min(buckets.length - 1, (long) (history.seconds(doneNs) / bucketS));
            Bucket bucket = buckets[index];
            if (completion.type() == RecordType.OK)
            {
                bucket.ok++;
            }
            else
            {
                bucket.failOrInfo++;
            }
            bucket.latenciesMs.add((doneNs - op.callTime()) / 1e6);
        }
        return buckets;
    }

    private static double x(final double seconds, final double durationS)
    {
        return LEFT + seconds / durationS * WIDTH;
    }

    private static void nemesis(final HistoryFile history, final double durationS, final StringBuilder svg)
    {
        int i = 0;
        for (final NemesisInterval fault : history.nemesis())
        {
            double x0 = x(history.seconds(fault.startNs()), durationS);
            double width = Math.max(2, x(history.seconds(fault.stopNs()), durationS) - x0);
            String colour = FAULT_COLOURS.getOrDefault(fault.fault(), "#7f7f7f");
            String label = fault.fault() + (fault.detail().isEmpty() ? "" : ": " + fault.detail()) + " ("
                + fmt(history.seconds(fault.startNs())) + "-" + fmt(history.seconds(fault.stopNs())) + " s"
                + (fault.stopped() ? "" : ", never stopped") + ")";
            svg.append("<g class=\"nemesis\" data-fault=\"").append(escape(fault.fault())).append("\">")
                .append("<rect x=\"").append(fmt(x0)).append("\" y=\"").append(RATE_TOP - 15).append("\" width=\"")
                .append(fmt(width)).append("\" height=\"").append(LATENCY_TOP + PANEL_HEIGHT - RATE_TOP + 15)
                .append("\" fill=\"").append(colour).append("\" opacity=\"0.2\"><title>").append(escape(label))
                .append("</title></rect>")
                .append("<text x=\"").append(fmt(x0 + 2)).append("\" y=\"").append(RATE_TOP - 5 + (i % 3) * 11)
                .append("\" fill=\"").append(colour).append("\">").append(escape(fault.fault()))
                    .append("</text></g>\n");
            i++;
        }
    }

    private static void rates(final Bucket[] buckets, final long bucketS, final double durationS,
        final StringBuilder svg)
    {
        double max = 1;
        for (final Bucket bucket : buckets)
        {
            max = Math.max(max, Math.max(bucket.ok, bucket.failOrInfo) / (double) bucketS);
        }
        max = niceCeiling(max);
        frame(RATE_TOP, "operations/s", svg);
        for (int tick = 0; tick <= 4; tick++)
        {
            double value = max * tick / 4;
            yTick(RATE_TOP + PANEL_HEIGHT - PANEL_HEIGHT * tick / 4.0, fmt(value), svg);
        }
        double[] ok = new double[buckets.length];
        double[] bad = new double[buckets.length];
        for (int i = 0; i < buckets.length; i++)
        {
            ok[i] = RATE_TOP + PANEL_HEIGHT - buckets[i].ok / (double) bucketS / max * PANEL_HEIGHT;
            bad[i] = RATE_TOP + PANEL_HEIGHT - buckets[i].failOrInfo / (double) bucketS / max * PANEL_HEIGHT;
        }
        polyline("ok", ok, bucketS, durationS, "#2ca02c", svg);
        polyline("fail-info", bad, bucketS, durationS, "#d62728", svg);
        legend(RATE_TOP, new String[] {"ok/s", "fail+info/s"}, new String[] {"#2ca02c", "#d62728"}, svg);
    }

    private static void latencies(final Bucket[] buckets, final long bucketS, final double durationS,
        final StringBuilder svg)
    {
        double low = Double.MAX_VALUE;
        double high = 0;
        for (final Bucket bucket : buckets)
        {
            for (final double ms : bucket.latenciesMs)
            {
                low = Math.min(low, Math.max(ms, 0.001));
                high = Math.max(high, ms);
            }
        }
        int lowDecade = high == 0 ? 0 : (int) Math.floor(Math.log10(low));
        int highDecade = high == 0 ? 3 : Math.max(lowDecade + 1, (int) Math.ceil(Math.log10(Math.max(high, 0.001))));
        frame(LATENCY_TOP, "latency ms (log)", svg);
        for (int decade = lowDecade; decade <= highDecade; decade++)
        {
            yTick(latencyY(Math.pow(10, decade), lowDecade, highDecade), fmt(Math.pow(10, decade)), svg);
        }
        // Max first and dashed: with few operations per second p99 is the max, and must stay visible on top.
        String[] names = {"max", "p99", "p50"};
        double[] quantiles = {1.0, 0.99, 0.5};
        String[] colours = {"#7f7f7f", "#ff7f0e", "#1f77b4"};
        for (int q = 0; q < quantiles.length; q++)
        {
            double[] ys = new double[buckets.length];
            for (int i = 0; i < buckets.length; i++)
            {
                ys[i] = buckets[i].latenciesMs.isEmpty() ? Double.NaN
                    : latencyY(buckets[i].percentile(quantiles[q]), lowDecade, highDecade);
            }
            polyline(names[q], ys, bucketS, durationS, colours[q], svg);
        }
        legend(LATENCY_TOP, names, colours, svg);
    }

    private static double latencyY(final double ms, final int lowDecade, final int highDecade)
    {
        double position = (Math.log10(Math.max(ms, Math.pow(10, lowDecade))) - lowDecade) / (highDecade - lowDecade);
        return LATENCY_TOP + PANEL_HEIGHT - position * PANEL_HEIGHT;
    }

    /** A line through the bucket centres; a bucket with no value (NaN) breaks it. */
    private static void polyline(final String name, final double[] ys, final long bucketS, final double durationS,
        final String colour, final StringBuilder svg)
    {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i <= ys.length; i++)
        {
            if (i == ys.length || Double.isNaN(ys[i]))
            {
                if (points.length() > 0)
                {
                    svg.append("<polyline class=\"").append(name).append("\" fill=\"none\" stroke=\"").append(colour)
                        .append(name.equals("max") ? "\" stroke-dasharray=\"4 3" : "")
                        .append("\" stroke-width=\"1.5\" points=\"").append(points.toString().trim()).append("\"/>\n");
                    points.setLength(0);
                }
                continue;
            }
            points.append(fmt(x((i + 0.5) * bucketS, durationS))).append(',').append(fmt(ys[i])).append(' ');
        }
    }

    private static void frame(final int top, final String label, final StringBuilder svg)
    {
        svg.append("<rect x=\"").append(LEFT).append("\" y=\"").append(top).append("\" width=\"").append(WIDTH)
            .append("\" height=\"").append(PANEL_HEIGHT).append("\" fill=\"none\" stroke=\"#999\"/>\n")
            .append("<text x=\"").append(LEFT).append("\" y=\"").append(top + PANEL_HEIGHT + 14).append("\">")
            .append(escape(label)).append("</text>\n");
    }

    private static void yTick(final double y, final String label, final StringBuilder svg)
    {
        svg.append("<line x1=\"").append(LEFT - 4).append("\" x2=\"").append(LEFT + WIDTH).append("\" y1=\"")
            .append(fmt(y))
            .append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#eee\"/><text x=\"").append(LEFT - 6)
            .append("\" y=\"").append(fmt(y + 4)).append("\" text-anchor=\"end\">").append(label).append("</text>\n");
    }

    private static void xAxis(final double durationS, final StringBuilder svg)
    {
        long step = 1;
        for (final long candidate : new long[] {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600})
        {
            step = candidate;
            if (durationS / candidate <= 20)
            {
                break;
            }
        }
        int y = LATENCY_TOP + PANEL_HEIGHT + 30;
        for (long s = 0; s <= durationS; s += step)
        {
            svg.append("<text x=\"").append(fmt(x(s, durationS))).append("\" y=\"").append(y)
                .append("\" text-anchor=\"middle\">").append(s).append("</text>\n");
        }
        svg.append("<text x=\"").append(LEFT + WIDTH / 2).append("\" y=\"").append(y + 16)
            .append("\" text-anchor=\"middle\">seconds since the first record</text>\n");
    }

    private static void legend(final int top, final String[] names, final String[] colours, final StringBuilder svg)
    {
        for (int i = 0; i < names.length; i++)
        {
            int x = LEFT + WIDTH - 100 * (names.length - i);
            svg.append("<text x=\"").append(x).append("\" y=\"").append(top + PANEL_HEIGHT + 14).append("\" fill=\"")
                .append(colours[i]).append("\">&#9632; ").append(escape(names[i])).append("</text>\n");
        }
    }

    private static String nemesisTable(final HistoryFile history)
    {
        if (history.nemesis().isEmpty())
        {
            return "<p>No nemesis faults.</p>\n";
        }
        StringBuilder out = new StringBuilder("<table><tr><th>fault</th><th>detail</th><th>start s</th><th>stop s</th>"
            + "<th>ok/s before</th><th>back at 90% after (s)</th></tr>\n");
        Map<NemesisInterval, Availability.FaultRecovery> recoveries = new IdentityHashMap<>();
        Availability.recoveries(history).forEach(recovery -> recoveries.put(recovery.fault(), recovery));
        for (final NemesisInterval fault : history.nemesis())
        {
            Availability.FaultRecovery recovery = recoveries.get(fault);
            out.append("<tr><td>").append(escape(fault.fault())).append("</td><td>").append(escape(fault.detail()))
                .append("</td><td>").append(fmt(history.seconds(fault.startNs()))).append("</td><td>")
                .append(fmt(history.seconds(fault.stopNs()))).append(fault.stopped() ? "" : " (never stopped)")
                .append("</td><td>").append(recovery == null || recovery.preFaultOpsPerS() == null ? ""
                    : fmt(recovery.preFaultOpsPerS()))
                .append("</td><td>").append(recovery == null || recovery.preFaultOpsPerS() == null ? ""
                    : (recovery.recoveryS() != null ? fmt(recovery.recoveryS())
                    : recovery.measured() ? "not before the end" : "(operations ended)")
                    + (recovery.allClearNs() != fault.stopNs() ? " (from the last overlapping heal, "
                    + fmt(history.seconds(recovery.allClearNs())) + " s)" : ""))
                .append("</td></tr>\n");
        }
        return out.append("</table>\n").toString();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code value}: round axis labels. */
    private static double niceCeiling(final double value)
    {
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (final double factor : new double[] {1, 2, 5, 10})
        {
            if (factor * power >= value)
            {
                return factor * power;
            }
        }
        return 10 * power;
    }

    private static String fmt(final double value)
    {
        String text = String.format(Locale.ROOT, "%.3f", value);
        return text.contains(".") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
    }

    static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
            .replace("'", "&#39;");
    }
}
