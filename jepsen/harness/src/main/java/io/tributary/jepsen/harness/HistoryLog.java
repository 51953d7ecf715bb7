package io.tributary.jepsen.harness;

import io.tributary.jepsen.internal.Json;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's history, {@code history.jsonl}: one JSON object per line in the order things happened
 * (the format {@code JsonLinesReader} reads): client invocations and completions, and the nemesis's
 * fault records ({@code "process":"nemesis"}, {@code f} start or stop). Times are
 * {@link System#nanoTime} taken under the writer's lock, so lines are in time order. Also keeps
 * per-second counts for the console's progress line.
 */
final class HistoryLog implements Closeable
{
    static final String INVOKE = "invoke";
    static final String OK = "ok";
    static final String FAIL = "fail";
    static final String INFO = "info";

    private final Writer out;
    private final StringBuilder line = new StringBuilder(256);
    private long lastTimeNs = Long.MIN_VALUE;
    private long ok;
    private long fail;
    private long info;
    private final List<String> nemesisLog = new ArrayList<>();

    HistoryLog(final Path file) throws IOException
    {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    /** Writes one client record; returns its time. */
    long record(final long process, final String type, final String f, final Object key, final Object value,
        final String error)
    {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("process", process);
        fields.put("type", type);
        fields.put("f", f);
        if (key != null)
        {
            fields.put("key", key);
        }
        fields.put("value", value);
        synchronized (this)
        {
            switch (type)
            {
                case OK -> ok++;
                case FAIL -> fail++;
                case INFO -> info++;
                default ->
                {
                }
            }
            return write(fields, error);
        }
    }

    /** Writes a nemesis record: {@code f} is start or stop, the value names the fault and its target. */
    synchronized long nemesis(final String f, final String fault, final String detail)
    {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("process", "nemesis");
        fields.put("type", INFO);
        fields.put("f", f);
        final Map<String, Object> value = new LinkedHashMap<>();
        value.put("fault", fault);
        value.put("detail", detail);
        fields.put("value", value);
        nemesisLog.add(f + " " + fault + ": " + detail);
        return write(fields, null);
    }

    private long write(final Map<String, Object> fields, final String error)
    {
        final long timeNs = Math.max(System.nanoTime(), lastTimeNs);
        lastTimeNs = timeNs;
        fields.put("time", timeNs);
        if (error != null)
        {
            fields.put("error", error);
        }
        line.setLength(0);
        Json.write(fields, line);
        line.append('\n');
        try
        {
            out.append(line);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot write the history: " + e.getMessage(), e);
        }
        return timeNs;
    }

    /** Counts of ok, fail and info completions so far. */
    synchronized long[] counts()
    {
        return new long[] {ok, fail, info};
    }

    synchronized List<String> nemesisEvents()
    {
        return List.copyOf(nemesisLog);
    }

    @Override
    public synchronized void close() throws IOException
    {
        out.close();
    }
}
