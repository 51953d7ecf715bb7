package io.tributary.bench.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.bench.load.LoadSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One run's summary.json (written by {@link LoadSummary#toJson()}), as both comparisons read it
 * ({@code compare-transports} and {@code compare-kafka}): the numbers every table needs, typed, and the whole tree
 * for the rest. Latencies in microseconds.
 */
public record RunSummary(JsonNode json, long intended, long acknowledged, long failed, long unsent,
    double recordsPerSecond, double megabytesPerSecond, double p50Us, double p99Us, double p999Us, double maxUs)
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads a run's summary.json.
     *
     * @throws IOException if it is missing, is not JSON, or lacks a number a comparison needs (the message says which).
     */
    public static RunSummary read(final Path file) throws IOException
    {
        if (!Files.exists(file))
        {
            throw new IOException("the run finished without writing " + file);
        }
        final JsonNode json;
        try
        {
            json = JSON.readTree(file.toFile());
        }
        catch (final JsonProcessingException e)
        {
            throw new IOException(file + " is not JSON: " + e.getOriginalMessage(), e);
        }
        return of(json, file.toString());
    }

    /**
     * The summary in {@code json}, a tree already parsed.
     *
     * @param source names where it came from, in the message of an error.
     * @throws IOException if it lacks a number a comparison needs (the message says which).
     */
    public static RunSummary of(final JsonNode json, final String source) throws IOException
    {
        final JsonNode produce = json.path("produceLatencyUs");
        if (!produce.isObject())
        {
            throw new IOException(source + " has no produceLatencyUs: not a load generator summary");
        }
        return new RunSummary(json, (long)number(json, "intended", source), (long)number(json, "acknowledged", source),
            (long)number(json, "failed", source), (long)number(json, "unsent", source),
            number(json, "recordsPerSecond", source), number(json, "megabytesPerSecond", source),
            number(produce, "p50", source), number(produce, "p99", source), number(produce, "p999", source),
            number(produce, "max", source));
    }

    private static double number(final JsonNode node, final String field, final String source) throws IOException
    {
        final JsonNode value = node.get(field);
        if (value == null || !value.isNumber())
        {
            throw new IOException(source + " has no number '" + field + "'");
        }
        return value.asDouble();
    }

    String oneLine()
    {
        return String.format(Locale.ROOT,
            "%,.0f records/s (%.1f MB/s), acknowledged %,d of %,d, p50 %.2f ms, p99 %.2f ms, max %.1f ms",
            recordsPerSecond, megabytesPerSecond, acknowledged, intended, p50Us / 1e3, p99Us / 1e3, maxUs / 1e3);
    }
}
