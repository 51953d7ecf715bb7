package io.tributary.jepsen.harness.check;

import io.tributary.jepsen.history.HistoryFormatException;
import io.tributary.jepsen.history.HistoryRecord;
import io.tributary.jepsen.history.JsonLinesReader;
import io.tributary.jepsen.history.OperationPairer;
import io.tributary.jepsen.history.PairedOperation;
import io.tributary.jepsen.history.RecordType;
import io.tributary.jepsen.internal.Json;
import io.tributary.jepsen.internal.SyntaxException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A history.jsonl written by the harness, read once for every checker and output: the client records, their
 * operations (invocations paired with completions), and the nemesis intervals, which
 * {@link JsonLinesReader} skips and so are read here from the raw lines.
 *
 * @param source the file name, for messages
 * @param records the client records, in file order
 * @param operations invocations paired with their completions, in the order of the invocations
 * @param completions the completion records by line, for what {@link PairedOperation} leaves out (the error
 *     of a fail, the time of an info)
 * @param nemesis the fault intervals, by start time
 * @param originNs the time of the first record, client or nemesis: time 0 of the outputs
 * @param endNs the time of the last record
 */
public record HistoryFile(String source, List<HistoryRecord> records, List<PairedOperation> operations,
                          Map<Integer, HistoryRecord> completions, List<NemesisInterval> nemesis, long originNs,
                          long endNs)
{

    private static final String NEMESIS = "nemesis";

    public HistoryFile
    {
        records = List.copyOf(records);
        operations = List.copyOf(operations);
        completions = Map.copyOf(completions);
        nemesis = List.copyOf(nemesis);
    }

    /**
     * Reads and pairs a history.
     *
     * @throws IOException if the file cannot be read, or a line is malformed (the message names the file and
     *     the line), or a record has no time (the outputs are plotted against time)
     */
    public static HistoryFile read(final Path file) throws IOException
    {
        String source = file.toString();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<HistoryRecord> records;
        List<PairedOperation> operations;
        try
        {
            records = new JsonLinesReader().read(new BufferedReader(new StringReader(text)), source);
            operations = OperationPairer.pair(records, source);
        }
        catch (final HistoryFormatException e)
        {
            throw new IOException(e.getMessage(), e);
        }
        Map<Integer, HistoryRecord> completions = new HashMap<>();
        for (final HistoryRecord record : records)
        {
            if (record.time().isEmpty())
            {
                throw new IOException(source + ":" + record.line() + ": expected a \"time\" in nanoseconds on every "
                    + "record; the harness's JsonLinesWriter.record stamps one");
            }
            if (record.type() != RecordType.INVOKE)
            {
                completions.put(record.line(), record);
            }
        }
        List<NemesisRecord> nemesisRecords = nemesisRecords(text, source);
        long originNs = Long.MAX_VALUE;
        long endNs = Long.MIN_VALUE;
        if (!records.isEmpty())
        {
            originNs = records.get(0).time().getAsLong();
            endNs = records.get(records.size() - 1).time().getAsLong();
        }
        if (!nemesisRecords.isEmpty())
        {
            originNs = Math.min(originNs, nemesisRecords.get(0).timeNs);
            endNs = Math.max(endNs, nemesisRecords.get(nemesisRecords.size() - 1).timeNs);
        }
        if (originNs == Long.MAX_VALUE)
        {
            originNs = 0;
            endNs = 0;
        }
        return new HistoryFile(source, records, operations, completions,
            intervals(nemesisRecords, originNs, endNs), originNs, endNs);
    }

    /** The completion record of an operation, or null if it never completed. */
    public HistoryRecord completionOf(final PairedOperation op)
    {
        return op.completionLine() > 0 ? completions.get(op.completionLine()) : null;
    }

    /** Seconds since the first record, for messages and plots. */
    public double seconds(final long timeNs)
    {
        return (timeNs - originNs) / 1e9;
    }

    /** A nemesis line: start or stop of a fault. */
    private record NemesisRecord(int line, boolean start, String fault, String detail, long timeNs)
{
    }

    private static List<NemesisRecord> nemesisRecords(final String text, final String source) throws IOException
    {
        List<NemesisRecord> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            // The reader has already parsed every line, so only lines that may be nemesis ones are parsed again.
            if (!lines[i].contains(NEMESIS))
            {
                continue;
            }
            Object parsed;
            try
            {
                parsed = Json.parse(lines[i]);
            }
            catch (final SyntaxException e)
            {
                throw new IOException(source + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
            if (parsed instanceof Map && NEMESIS.equals(((Map<?, ?>) parsed).get("process")))
            {
                out.add(nemesisRecord((Map<?, ?>) parsed, source, i + 1));
            }
        }
        return out;
    }

    private static NemesisRecord nemesisRecord(final Map<?, ?> fields, final String source, final int line)
        throws IOException
    {
        String where = source + ":" + line + ": nemesis record ";
        Object f = fields.get("f");
        if (!"start".equals(f) && !"stop".equals(f))
        {
            throw new IOException(where + "expected f \"start\" or \"stop\", found " + f);
        }
        if (!(fields.get("time") instanceof Long))
        {
            throw new IOException(where + "expected an integer \"time\" in nanoseconds, found " + fields.get("time"));
        }
        if (!(fields.get("value") instanceof Map)
            || !(((Map<?, ?>) fields.get("value")).get("fault") instanceof String))
        {
            throw new IOException(where + "expected a value {\"fault\":\"kill|pause|...\",\"detail\":\"...\"}, found "
                + Json.write(fields.get("value")));
        }
        Map<?, ?> value = (Map<?, ?>) fields.get("value");
        Object detail = value.get("detail");
        return new NemesisRecord(line, "start".equals(f), (String) value.get("fault"),
            detail == null ? "" : String.valueOf(detail), (Long) fields.get("time"));
    }

    /**
     * Pairs each start with the next stop of the same fault (the interval's detail joins both). A fault still on at the
     * end lasts to the end; a stop without a start (the start was lost) is taken to have started at the origin, so it
     * is still shown rather than dropped.
     */
    private static List<NemesisInterval> intervals(final List<NemesisRecord> records, final long originNs,
        final long endNs)
    {
        Map<String, Deque<NemesisRecord>> open = new LinkedHashMap<>();
        List<NemesisInterval> out = new ArrayList<>();
        for (final NemesisRecord record : records)
        {
            // One fault of a kind is on at a time; its stop says how it was healed ("restart [n2]"), so pair by kind.
            String key = record.fault;
            if (record.start)
            {
                open.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(record);
                continue;
            }
            Deque<NemesisRecord> starts = open.get(key);
            NemesisRecord start = starts == null ? null : starts.pollFirst();
            long startNs = start == null ? originNs : start.timeNs;
            String detail = start == null ? record.detail : start.detail.equals(record.detail)
                || record.detail.isEmpty() ? start.detail : start.detail + " -> " + record.detail;
            out.add(new NemesisInterval(record.fault, detail, startNs, record.timeNs, true));
        }
        for (final Deque<NemesisRecord> starts : open.values())
        {
            for (final NemesisRecord start : starts)
            {
                out.add(new NemesisInterval(start.fault, start.detail, start.timeNs, endNs, false));
            }
        }
        out.sort(Comparator.comparingLong(NemesisInterval::startNs));
        return out;
    }
}
