package io.tributary.jepsen.harness.check;

import io.tributary.jepsen.history.HistoryRecord;
import io.tributary.jepsen.history.JsonLinesWriter;
import io.tributary.jepsen.history.RecordType;
import io.tributary.jepsen.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Builds a history.jsonl by hand, the way the harness writes it: operations are given whole (invoke and
 * completion times in ms since 0) and the lines are sorted by time when written, so tests can state
 * overlapping operations in any order. Times are offset so they do not start at 0, as System.nanoTime.
 */
final class TestHistory
{
    private static final long BASE_NS = 5_000_000_000L;

    private record Line(long timeNs, int sequence, String json)
{
    }

    private final List<Line> lines = new ArrayList<>();

    private void add(final long timeMs, final String json)
    {
        lines.add(new Line(BASE_NS + timeMs * 1_000_000, lines.size(), json));
    }

    /** An operation: invoke at {@code startMs}, then a completion of {@code type} at {@code endMs} (null: none). */
    TestHistory op(final long process, final String f, final Object key, final Object invokeValue, final long startMs,
        final String type,
                   final Object completionValue, final String error, final long endMs)
    {
        add(startMs, JsonLinesWriter.toLine(new HistoryRecord(0, process, RecordType.INVOKE, f, key, invokeValue,
            OptionalLong.of(BASE_NS + startMs * 1_000_000), null)));
        if (type != null)
        {
            add(endMs, JsonLinesWriter.toLine(new HistoryRecord(0, process, RecordType.fromJepsenName(type), f, key,
                completionValue, OptionalLong.of(BASE_NS + endMs * 1_000_000), error)));
        }
        return this;
    }

    // The log workload.

    TestHistory appendOk(final long process, final long shard, final long value, final long offset, final long startMs,
        final long endMs)
    {
        return op(process, "append", shard, value, startMs, "ok", offset, null, endMs);
    }

    TestHistory appendFail(final long process, final long shard, final long value, final long startMs, final long endMs)
    {
        return op(process, "append", shard, value, startMs, "fail", null, "rejected: not leader", endMs);
    }

    TestHistory appendInfo(final long process, final long shard, final long value, final long startMs, final long endMs)
    {
        return op(process, "append", shard, value, startMs, "info", null, "timed-out", endMs);
    }

    TestHistory read(final long process, final long shard, final String consistency, final long from,
        final List<Long> values, final Long end,
                     final long startMs, final long endMs)
    {
        Map<String, Object> invoke = new LinkedHashMap<>();
        invoke.put("from", from);
        invoke.put("consistency", consistency);
        return op(process, "read", shard, invoke, startMs, "ok", readResult(from, values, end), null, endMs);
    }

    /** A linearizable read through the Consumer API: no end, and {@code "api":"consumer"} on the invoke. */
    TestHistory consumerRead(final long process, final long shard, final long from, final List<Long> values,
        final long startMs, final long endMs)
    {
        Map<String, Object> invoke = new LinkedHashMap<>();
        invoke.put("from", from);
        invoke.put("consistency", "linearizable");
        invoke.put("api", "consumer");
        return op(process, "read", shard, invoke, startMs, "ok", readResult(from, values, null), null, endMs);
    }

    /** A read that reached the end: end = from + values. */
    TestHistory readToEnd(final long process, final long shard, final String consistency, final long from,
        final List<Long> values, final long startMs,
                          final long endMs)
    {
        return read(process, shard, consistency, from, values, from + values.size(), startMs, endMs);
    }

    TestHistory finalRead(final long process, final long shard, final List<Long> values, final long startMs,
        final long endMs)
    {
        return finalReadFrom(process, shard, 0, values, startMs, endMs);
    }

    /** A final read that started at {@code from}: the first offset retention kept. */
    TestHistory finalReadFrom(final long process, final long shard, final long from, final List<Long> values,
        final long startMs, final long endMs)
    {
        Map<String, Object> invoke = new LinkedHashMap<>();
        invoke.put("from", 0L);
        invoke.put("consistency", "linearizable");
        return op(process, "final-read", shard, invoke, startMs, "ok", readResult(from, values, from + values.size()),
            null,
            endMs);
    }

    private static Map<String, Object> readResult(final long from, final List<Long> values, final Long end)
    {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("from", from);
        result.put("values", values);
        result.put("end", end);
        return result;
    }

    // The register workload.

    TestHistory write(final long process, final String key, final long value, final long startMs, final long endMs)
    {
        return op(process, "write", key, value, startMs, "ok", value, null, endMs);
    }

    TestHistory readRegister(final long process, final String key, final Long value, final long startMs,
        final long endMs)
    {
        return op(process, "read", key, null, startMs, "ok", value, null, endMs);
    }

    TestHistory cas(final long process, final String key, final Long expected, final long value, final long startMs,
        final String type, final String error,
                    final long endMs)
    {
        List<Object> pair = new ArrayList<>();
        pair.add(expected);
        pair.add(value);
        return op(process, "cas", key, pair, startMs, type, pair, error, endMs);
    }

    // The nemesis.

    TestHistory nemesis(final String f, final String fault, final String detail, final long timeMs)
    {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("fault", fault);
        value.put("detail", detail);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("process", "nemesis");
        line.put("type", "info");
        line.put("f", f);
        line.put("value", value);
        line.put("time", BASE_NS + timeMs * 1_000_000);
        add(timeMs, Json.write(line));
        return this;
    }

    /** Writes dir/history.jsonl, lines in time order (ties in the order given). */
    Path writeTo(final Path dir) throws IOException
    {
        List<Line> sorted = new ArrayList<>(lines);
        sorted.sort(Comparator.comparingLong(Line::timeNs).thenComparingInt(Line::sequence));
        StringBuilder text = new StringBuilder();
        for (final Line line : sorted)
        {
            text.append(line.json()).append('\n');
        }
        Path file = dir.resolve("history.jsonl");
        Files.writeString(file, text);
        return file;
    }

    HistoryFile read(final Path dir) throws IOException
    {
        return HistoryFile.read(writeTo(dir));
    }
}
