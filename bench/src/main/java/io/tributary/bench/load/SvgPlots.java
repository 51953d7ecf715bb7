package io.tributary.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Self-contained SVG plots (no script, no external file: they open in a browser and render in
 * Markdown). Latency is on a logarithmic axis because tails span orders of magnitude; the
 * percentile axis is the usual HdrHistogram one, log10(1 / (1 - p)), so 90%, 99%, 99.9% are
 * evenly spaced. Rates are on a linear axis from zero, so a dip reads as the share it is.
 */
public final class SvgPlots
{
    /** A latency distribution, recorded in nanoseconds. */
    public record Series(String name, Histogram histogram)
    {
    }

    /** Values over time: {@code seconds[i]} against {@code valuesUs[i]}. */
    public record TimeSeries(String name, double[] seconds, double[] valuesUs)
    {
    }

    /** Rates over time: {@code seconds[i]} against {@code perSecond[i]}; a NaN value is left out. */
    public record RateSeries(String name, double[] seconds, double[] perSecond)
    {
    }

    private static final String[] COLORS =
        {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    private static final int WIDTH = 860;
    private static final int HEIGHT = 480;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private SvgPlots()
    {
    }

    /** Latency (log scale) against percentile, one line per series. */
    public static String percentilePlot(final String title, final List<Series> series)
    {
        double xMax = 2;
        final List<double[][]> lines = new ArrayList<>();
        for (final Series s : series)
        {
            xMax = Math.max(xMax, Math.min(6, Math.ceil(Math.log10(Math.max(1, s.histogram().getTotalCount())))));
        }
        for (final Series s : series)
        {
            final List<double[]> points = new ArrayList<>();
            if (s.histogram().getTotalCount() > 0)
            {
                for (final HistogramIterationValue v : s.histogram().percentiles(5))
                {
                    final double p = v.getPercentileLevelIteratedTo() / 100.0;
                    final double x = p >= 1.0 ? xMax : Math.min(xMax, Math.log10(1 / (1 - p)));
                    points.add(new double[] {x, Math.max(1, v.getValueIteratedTo() / 1000.0)});
                }
            }
            lines.add(points.toArray(new double[0][]));
        }
        final Frame frame = new Frame(title, "percentile", 0, xMax, YAxis.latency(yRange(lines)));
        final StringBuilder svg = frame.open();
        for (int decade = 0; decade <= (int)xMax; decade++)
        {
            frame.xTick(svg, decade, percentileLabel(decade));
        }
        frame.lines(svg, series.stream().map(Series::name).toList(), lines);
        return frame.close(svg);
    }

    /** Values (log scale) against seconds, one line per series. */
    public static String timePlot(final String title, final List<TimeSeries> series)
    {
        final List<double[][]> lines = new ArrayList<>();
        double xMax = 1;
        for (final TimeSeries s : series)
        {
            final double[][] points = new double[s.seconds().length][];
            for (int i = 0; i < points.length; i++)
            {
                points[i] = new double[] {s.seconds()[i], Math.max(1, s.valuesUs()[i])};
                xMax = Math.max(xMax, s.seconds()[i]);
            }
            lines.add(points);
        }
        final Frame frame = new Frame(title, "seconds", 0, xMax, YAxis.latency(yRange(lines)));
        final StringBuilder svg = frame.open();
        secondsTicks(frame, svg, xMax);
        frame.lines(svg, series.stream().map(TimeSeries::name).toList(), lines);
        return frame.close(svg);
    }

    /** Rates (linear scale from zero, labelled {@code yTitle}) against seconds, one line per series. */
    public static String ratePlot(final String title, final String yTitle, final List<RateSeries> series)
    {
        final List<double[][]> lines = new ArrayList<>();
        double xMax = 1;
        double yMax = 1;
        for (final RateSeries s : series)
        {
            final List<double[]> points = new ArrayList<>();
            for (int i = 0; i < s.seconds().length; i++)
            {
                if (Double.isFinite(s.perSecond()[i]))
                {
                    points.add(new double[] {s.seconds()[i], Math.max(0, s.perSecond()[i])});
                    yMax = Math.max(yMax, s.perSecond()[i]);
                }
                xMax = Math.max(xMax, s.seconds()[i]);
            }
            lines.add(points.toArray(new double[0][]));
        }
        final double yStep = niceStep(yMax / 5);
        final Frame frame = new Frame(title, "seconds", 0, xMax,
            YAxis.linear(yStep * Math.ceil(yMax / yStep), yStep, yTitle));
        final StringBuilder svg = frame.open();
        secondsTicks(frame, svg, xMax);
        frame.lines(svg, series.stream().map(RateSeries::name).toList(), lines);
        return frame.close(svg);
    }

    private static void secondsTicks(final Frame frame, final StringBuilder svg, final double xMax)
    {
        final double step = niceStep(xMax / 8);
        for (double x = 0; x <= xMax + 1e-9; x += step)
        {
            frame.xTick(svg, x, String.format(Locale.ROOT, step < 1 ? "%.1f" : "%.0f", x));
        }
    }

    private static double[] yRange(final List<double[][]> lines)
    {
        double min = Double.MAX_VALUE;
        double max = 1;
        for (final double[][] line : lines)
        {
            for (final double[] point : line)
            {
                min = Math.min(min, point[1]);
                max = Math.max(max, point[1]);
            }
        }
        if (min == Double.MAX_VALUE)
        {
            min = 1;
        }
        final double low = Math.floor(Math.log10(Math.max(1, min)));
        final double high = Math.max(low + 1, Math.ceil(Math.log10(max)));
        return new double[] {low, high};
    }

    private static double niceStep(final double raw)
    {
        if (raw <= 0)
        {
            return 1;
        }
        final double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (final double m : new double[] {1, 2, 5, 10})
        {
            if (m * magnitude >= raw)
            {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    static String percentileLabel(final int nines)
    {
        return switch (nines)
        {
            case 0 -> "0%";
            case 1 -> "90%";
            case 2 -> "99%";
            case 3 -> "99.9%";
            case 4 -> "99.99%";
            case 5 -> "99.999%";
            default -> "99.9999%";
        };
    }

    static String latencyLabel(final double micros)
    {
        if (micros < 1000)
        {
            return String.format(Locale.ROOT, "%.0f us", micros);
        }
        if (micros < 1_000_000)
        {
            return String.format(Locale.ROOT, "%.0f ms", micros / 1000);
        }
        return String.format(Locale.ROOT, "%.0f s", micros / 1_000_000);
    }

    static String rateLabel(final double perSecond)
    {
        if (perSecond >= 1_000_000)
        {
            return String.format(Locale.ROOT, "%.1fM", perSecond / 1_000_000);
        }
        if (perSecond >= 10_000)
        {
            return String.format(Locale.ROOT, "%.0fk", perSecond / 1000);
        }
        return String.format(Locale.ROOT, perSecond == Math.rint(perSecond) ? "%,.0f" : "%.1f", perSecond);
    }

    static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /**
     * A y axis: latency, logarithmic over the decades [low, high] of microseconds; or a rate,
     * linear over [0, high] with a grid line every {@code step}.
     */
    private record YAxis(boolean logarithmic, double low, double high, double step, String title)
    {
        static YAxis latency(final double[] decades)
        {
            return new YAxis(true, decades[0], decades[1], 1, "latency (log scale)");
        }

        static YAxis linear(final double high, final double step, final String title)
        {
            return new YAxis(false, 0, high, step, title);
        }

        double fraction(final double value)
        {
            return logarithmic ? (Math.log10(value) - low) / (high - low) : (value - low) / (high - low);
        }

        List<Double> ticks()
        {
            final List<Double> ticks = new ArrayList<>();
            for (double tick = low; tick <= high + step * 1e-9; tick += step)
            {
                ticks.add(logarithmic ? Math.pow(10, tick) : tick);
            }
            return ticks;
        }

        String label(final double value)
        {
            return logarithmic ? latencyLabel(value) : rateLabel(value);
        }
    }

    /** Axes and scales of one plot: x linear in [xMin, xMax], y as its {@link YAxis} says. */
    private static final class Frame
    {
        private final String title;
        private final String xLabel;
        private final double xMin;
        private final double xMax;
        private final YAxis yAxis;

        Frame(final String title, final String xLabel, final double xMin, final double xMax, final YAxis yAxis)
        {
            this.title = title;
            this.xLabel = xLabel;
            this.xMin = xMin;
            this.xMax = xMax;
            this.yAxis = yAxis;
        }

        double x(final double value)
        {
            return LEFT + (value - xMin) / (xMax - xMin) * (WIDTH - LEFT - RIGHT);
        }

        double y(final double value)
        {
            return HEIGHT - BOTTOM - yAxis.fraction(value) * (HEIGHT - TOP - BOTTOM);
        }

        StringBuilder open()
        {
            final StringBuilder svg = new StringBuilder(16_384);
            svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
            svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH,
                HEIGHT));
            svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", LEFT, escape(title)));
            for (final double tick : yAxis.ticks())
            {
                final double y = y(tick);
                svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, WIDTH - RIGHT, y));
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, y + 4, yAxis.label(tick)));
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 14, escape(xLabel)));
            svg.append(String.format(Locale.ROOT,
                "<text transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
                (TOP + HEIGHT - BOTTOM) / 2, escape(yAxis.title())));
            svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n",
                LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM));
            return svg;
        }

        void xTick(final StringBuilder svg, final double value, final String label)
        {
            final double x = x(value);
            svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x, TOP, x, HEIGHT - BOTTOM));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
                HEIGHT - BOTTOM + 18, escape(label)));
        }

        void lines(final StringBuilder svg, final List<String> names, final List<double[][]> lines)
        {
            for (int i = 0; i < lines.size(); i++)
            {
                final String color = COLORS[i % COLORS.length];
                final StringBuilder points = new StringBuilder();
                for (final double[] point : lines.get(i))
                {
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(point[0]), y(point[1])));
                }
                svg.append(String.format(Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                    color, points.toString().trim()));
                final int legendY = TOP + 10 + i * 20;
                svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>%n",
                    WIDTH - RIGHT + 10, legendY, WIDTH - RIGHT + 30, legendY, color));
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", WIDTH - RIGHT + 36,
                    legendY + 4,
                    escape(names.get(i))));
            }
        }

        String close(final StringBuilder svg)
        {
            return svg.append("</svg>\n").toString();
        }
    }
}
