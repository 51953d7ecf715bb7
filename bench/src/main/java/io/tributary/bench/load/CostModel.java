package io.tributary.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The write path's cost model (WRITE-PATH.md "Cost model"), fitted to measured runs by least
 * squares: CPU us per second = idle + C_entry x entries per second + c_byte x KiB per second,
 * where CPU is summed over every process of a local run (load generator and nodes). C_entry is
 * what one Raft entry costs whatever it carries; c_byte what each KiB of values costs; idle what
 * the processes burn with no load (pollers, heartbeats). Runs must vary entries and bytes
 * independently (different rates and value sizes), or the two cannot be told apart.
 */
public final class CostModel
{
    /**
     * One run's inputs: CPU us per second of the measured processes, Raft entries per second, KiB of values per second.
     */
    public record Run(String name, double cpuUsPerSecond, double entriesPerSecond, double kibPerSecond)
    {
    }

    /**
     * The fitted coefficients: idle in us per second, C_entry in us per entry, c_byte in us per
     * KiB; {@code rSquared} is the share of the CPU's variance across runs that the model explains
     * (1 with exactly 3 runs, which any 3 coefficients fit: it proves nothing then).
     */
    public record Fit(double idleUsPerSecond, double entryUs, double kibUs, double rSquared, int runs)
    {
        /** The CPU us per second the model predicts for a run. */
        public double predict(final Run run)
        {
            return idleUsPerSecond + entryUs * run.entriesPerSecond() + kibUs * run.kibPerSecond();
        }
    }

    /**
     * Below this, 1 - r^2 between entries/s and KiB/s across the runs means they moved together:
     * the split between C_entry and c_byte would be noise.
     */
    private static final double COLLINEAR_TOLERANCE = 1e-9;

    private CostModel()
    {
    }

    /**
     * Least squares over centred columns (the means carry idle), which keeps the 2x2 normal
     * equations well conditioned even though bytes per second are 1,000 times entries per second.
     *
     * @throws IllegalArgumentException with fewer than 3 runs, or when entries/s and KiB/s do not vary independently
     */
    public static Fit fit(final List<Run> runs)
    {
        if (runs.size() < 3)
        {
            throw new
                IllegalArgumentException("the cost model has 3 coefficients: it needs at least 3 runs (4 or more to "
                + "check" + " the fit), got " + runs.size());
        }
        final int n = runs.size();
        double meanY = 0;
        double meanE = 0;
        double meanB = 0;
        for (final Run run : runs)
        {
            meanY += run.cpuUsPerSecond() / n;
            meanE += run.entriesPerSecond() / n;
            meanB += run.kibPerSecond() / n;
        }
        double see = 0;
        double sbb = 0;
        double seb = 0;
        double sey = 0;
        double sby = 0;
        double syy = 0;
        for (final Run run : runs)
        {
            final double e = run.entriesPerSecond() - meanE;
            final double b = run.kibPerSecond() - meanB;
            final double y = run.cpuUsPerSecond() - meanY;
            see += e * e;
            sbb += b * b;
            seb += e * b;
            sey += e * y;
            sby += b * y;
            syy += y * y;
        }
        if (see == 0 || sbb == 0 || 1 - seb * seb / (see * sbb) < COLLINEAR_TOLERANCE)
        {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                "entries/s and KiB/s do not vary independently across these %d runs (every run has the same %s), so "
                + "the CPU cannot be split between entries and bytes: add runs"
                + " at other rates and other --size values", n, see == 0 ? "entries/s" : sbb == 0 ? "KiB/s"
                    : "KiB per entry"));
        }
        final double determinant = see * sbb - seb * seb;
        final double entryUs = (sbb * sey - seb * sby) / determinant;
        final double kibUs = (see * sby - seb * sey) / determinant;
        final double idle = meanY - entryUs * meanE - kibUs * meanB;
        final Fit unchecked = new Fit(idle, entryUs, kibUs, Double.NaN, n);
        double residuals = 0;
        for (final Run run : runs)
        {
            final double residual = run.cpuUsPerSecond() - unchecked.predict(run);
            residuals += residual * residual;
        }
        return new Fit(idle, entryUs, kibUs, syy == 0 ? Double.NaN : 1 - residuals / syy, n);
    }

    /**
     * The run in {@code dir/summary.json}, as {@code tributary bench} writes it.
     *
     * @throws IllegalArgumentException naming the file and the reason when the run cannot be used:
     *                                  CPU of the nodes or Raft entries not measured
     */
    public static Run read(final Path dir) throws IOException
    {
        final Path file = dir.resolve("summary.json");
        if (!Files.exists(file))
        {
            throw new IllegalArgumentException(file
                + " does not exist: give folders written by 'tributary bench --out DIR'");
        }
        final String json = Files.readString(file, StandardCharsets.UTF_8);
        if (!json.contains("\"nodesMeasured\": true"))
        {
            throw new IllegalArgumentException(file
                + ": the nodes' CPU was not measured (a run against a remote cluster, or"
                + " without /proc): only runs with --local fit the model");
        }
        final double entriesPerSecond = number(json, "entriesPerSecond", file);
        final double cpuUsPerSecond = number(json, "cpuUsPerSecond", file);
        final double valueBytesPerSecond = number(json, "valueBytesPerSecond", file);
        return new Run(dir.toString(), cpuUsPerSecond, entriesPerSecond, valueBytesPerSecond / 1024);
    }

    private static double number(final String json, final String field, final Path file)
    {
        final Matcher matcher = Pattern.compile("\"" + field + "\"\\s*:\\s*(-?[0-9.eE+-]+|null)").matcher(json);
        if (!matcher.find())
        {
            throw new IllegalArgumentException(file + " has no '" + field
                + "': written before bench measured resources?");
        }
        if (matcher.group(1).equals("null"))
        {
            throw new IllegalArgumentException(file + ": '" + field + "' was not measured in that run");
        }
        return Double.parseDouble(matcher.group(1));
    }

    /** The fit and every run against it, as the command prints them. */
    public static String report(final Fit fit, final List<Run> runs)
    {
        final StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "cost model over %d runs: CPU us/s = idle + C_entry x entries/s + c_byte x KiB/s%n  C_entry %,12.1f us "
                + "per entry%n  c_byte  %,12.2f us per KiB%n  idle    %,12.0f us/s (%.2f cores)%n  R^2     %12.4f%s%n",
            fit.runs(), fit.entryUs(), fit.kibUs(), fit.idleUsPerSecond(), fit.idleUsPerSecond() / 1e6, fit.rSquared(),
            fit.runs() == 3 ? " (3 runs fit any 3 coefficients exactly: add runs to test the model)" : ""));
        text.append(String.format(Locale.ROOT, "%n  %12s %12s %14s %14s %9s  %s%n", "entries/s", "KiB/s", "CPU us/s",
            "fitted",
            "residual", "run"));
        for (final Run run : runs)
        {
            final double fitted = fit.predict(run);
            text.append(String.format(Locale.ROOT, "  %,12.1f %,12.1f %,14.0f %,14.0f %8.1f%%  %s%n",
                run.entriesPerSecond(),
                run.kibPerSecond(), run.cpuUsPerSecond(), fitted,
                    100 * (run.cpuUsPerSecond() - fitted) / run.cpuUsPerSecond(),
                run.name()));
        }
        return text.toString();
    }
}
