package io.tributary.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The numbers a comparison needs from one run's summary.json (written by
 * {@link io.tributary.bench.load.LoadSummary#toJson()}, a flat schema we own, so a field reader
 * is enough). Latencies in microseconds.
 */
public record RunSummary(long intended, long acknowledged, long failed, long unsent, double recordsPerSecond,
    double megabytesPerSecond, double p50Us, double p99Us, double p999Us, double maxUs)
{
    public static RunSummary read(final Path file) throws IOException
    {
        if (!Files.exists(file))
        {
            throw new IOException("the run finished without writing " + file);
        }
        final String json = Files.readString(file, StandardCharsets.UTF_8);
        final int latency = json.indexOf("\"produceLatencyUs\"");
        if (latency < 0)
        {
            throw new IOException(file + " has no produceLatencyUs: not a load generator summary");
        }
        final String produce = json.substring(latency, json.indexOf('}', latency) + 1);
        return new RunSummary((long)number(json, "intended", file), (long)number(json, "acknowledged", file),
            (long)number(json, "failed", file), (long)number(json, "unsent", file),
                number(json, "recordsPerSecond", file),
            number(json, "megabytesPerSecond", file), number(produce, "p50", file), number(produce, "p99", file),
            number(produce, "p999", file), number(produce, "max", file));
    }

    private static double number(final String json, final String field, final Path file) throws IOException
    {
        final Matcher matcher = Pattern.compile("\"" + field + "\"\\s*:\\s*(-?[0-9.eE+-]+)").matcher(json);
        if (!matcher.find())
        {
            throw new IOException(file + " has no number '" + field + "'");
        }
        return Double.parseDouble(matcher.group(1));
    }

    String oneLine()
    {
        return String.format(Locale.ROOT,
            "%,.0f records/s (%.1f MB/s), acknowledged %,d of %,d, p50 %.2f ms, p99 %.2f ms, max %.1f ms",
            recordsPerSecond, megabytesPerSecond, acknowledged, intended, p50Us / 1e3, p99Us / 1e3, maxUs / 1e3);
    }
}
