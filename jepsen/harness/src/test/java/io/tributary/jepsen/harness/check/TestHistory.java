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
final class TestHistory {
    private static final long BASE_NS = 5_000_000_000L;

    private record Line(long timeNs, int sequence, String json) {
    }

    private final List<Line> lines = new ArrayList<>();

    private void add(long timeMs, String json) {
        lines.add(new Line(BASE_NS + timeMs * 1_000_000, lines.size(), json));
    }

    /** An operation: invoke at {@code startMs}, then a completion of {@code type} at {@code endMs} (null: none). */
    TestHistory op(long process, String f, Object key, Object invokeValue, long startMs, String type,
                   Object completionValue, String error, long endMs) {
        add(startMs, JsonLinesWriter.toLine(new HistoryRecord(0, process, RecordType.INVOKE, f, key, invokeValue,
            OptionalLong.of(BASE_NS + startMs * 1_000_000), null)));
        if (type != null) {
            add(endMs, JsonLinesWriter.toLine(new HistoryRecord(0, process, RecordType.fromJepsenName(type), f, key,
                completionValue, OptionalLong.of(BASE_NS + endMs * 1_000_000), error)));
        }
        return this;
    }

    // The log workload.

    TestHistory appendOk(long process, long shard, long value, long offset, long startMs, long endMs) {
        return op(process, "append", shard, value, startMs, "ok", offset, null, endMs);
    }

    TestHistory appendFail(long process, long shard, long value, long startMs, long endMs) {
        return op(process, "append", shard, value, startMs, "fail", null, "rejected: not leader", endMs);
    }

    TestHistory appendInfo(long process, long shard, long value, long startMs, long endMs) {
        return op(process, "append", shard, value, startMs, "info", null, "timed-out", endMs);
    }

    TestHistory read(long process, long shard, String consistency, long from, List<Long> values, Long end,
                     long startMs, long endMs) {
        Map<String, Object> invoke = new LinkedHashMap<>();
        invoke.put("from", from);
        invoke.put("consistency", consistency);
        return op(process, "read", shard, invoke, startMs, "ok", readResult(from, values, end), null, endMs);
    }

    /** A linearizable read through the Consumer API: no end, and {@code "api":"consumer"} on the invoke. */
    TestHistory consumerRead(long process, long shard, long from, List<Long> values, long startMs, long endMs) {
        Map<String, Object> invoke = new LinkedHashMap<>();
        invoke.put("from", from);
        invoke.put("consistency", "linearizable");
        invoke.put("api", "consumer");
        return op(process, "read", shard, invoke, startMs, "ok", readResult(from, values, null), null, endMs);
    }

    /** A read that reached the end: end = from + values. */
    TestHistory readToEnd(long process, long shard, String consistency, long from, List<Long> values, long startMs,
                          long endMs) {
        return read(process, shard, consistency, from, values, from + values.size(), startMs, endMs);
    }

    TestHistory finalRead(long process, long shard, List<Long> values, long startMs, long endMs) {
        return finalReadFrom(process, shard, 0, values, startMs, endMs);
    }

    /** A final read that started at {@code from}: the first offset retention kept. */
    TestHistory finalReadFrom(long process, long shard, long from, List<Long> values, long startMs, long endMs) {
        Map<String, Object> invoke = new LinkedHashMap<>();
        invoke.put("from", 0L);
        invoke.put("consistency", "linearizable");
        return op(process, "final-read", shard, invoke, startMs, "ok", readResult(from, values, from + values.size()), null,
            endMs);
    }

    private static Map<String, Object> readResult(long from, List<Long> values, Long end) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("from", from);
        result.put("values", values);
        result.put("end", end);
        return result;
    }

    // The register workload.

    TestHistory write(long process, String key, long value, long startMs, long endMs) {
        return op(process, "write", key, value, startMs, "ok", value, null, endMs);
    }

    TestHistory readRegister(long process, String key, Long value, long startMs, long endMs) {
        return op(process, "read", key, null, startMs, "ok", value, null, endMs);
    }

    TestHistory cas(long process, String key, Long expected, long value, long startMs, String type, String error,
                    long endMs) {
        List<Object> pair = new ArrayList<>();
        pair.add(expected);
        pair.add(value);
        return op(process, "cas", key, pair, startMs, type, pair, error, endMs);
    }

    // The nemesis.

    TestHistory nemesis(String f, String fault, String detail, long timeMs) {
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
    Path writeTo(Path dir) throws IOException {
        List<Line> sorted = new ArrayList<>(lines);
        sorted.sort(Comparator.comparingLong(Line::timeNs).thenComparingInt(Line::sequence));
        StringBuilder text = new StringBuilder();
        for (Line line : sorted) {
            text.append(line.json()).append('\n');
        }
        Path file = dir.resolve("history.jsonl");
        Files.writeString(file, text);
        return file;
    }

    HistoryFile read(Path dir) throws IOException {
        return HistoryFile.read(writeTo(dir));
    }
}
