package io.tributary.jepsen.history;

import io.tributary.jepsen.internal.SyntaxException;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The shared part of the EDN and JSON-lines readers: one map per line with the fields process, type, f,
 * and optionally key, value, time and error. Other fields (such as Jepsen's index) are ignored. Records of
 * the nemesis process are skipped: they are faults, not client operations.
 */
abstract class MapRecordReader implements HistoryReader
{
    private static final String NEMESIS = "nemesis";

    /** Parses one line into a value; throws {@link SyntaxException} if it is not valid. */
    abstract Object parseLine(String line);

    /** How this format writes the field {@code name}, for lookups and messages. */
    abstract Object fieldKey(String name);

    /** The format's name for messages, such as "an EDN map". */
    abstract String expectedLine();

    /** Whether a line holds no record (blank, or a comment where the format has them). */
    abstract boolean isBlank(String line);

    @Override
    public final List<HistoryRecord> read(final BufferedReader in, final String source) throws IOException,
        HistoryFormatException
    {
        List<HistoryRecord> records = new ArrayList<>();
        String text;
        int line = 0;
        while ((text = in.readLine()) != null)
        {
            line++;
            if (isBlank(text))
            {
                continue;
            }
            Object parsed;
            try
            {
                parsed = parseLine(text);
            }
            catch (final SyntaxException e)
            {
                throw new HistoryFormatException(source, line, "column " + e.column() + ": " + e.getMessage()
                    + " (each line must be " + expectedLine() + ")");
            }
            if (!(parsed instanceof Map))
            {
                throw new HistoryFormatException(source, line, "expected " + expectedLine() + ", found "
                    + describe(parsed));
            }
            HistoryRecord record = toRecord((Map<?, ?>) parsed, source, line);
            if (record != null)
            {
                records.add(record);
            }
        }
        return records;
    }

    private HistoryRecord toRecord(final Map<?, ?> fields, final String source, final int line)
        throws HistoryFormatException
    {
        Object process = required(fields, "process", source, line);
        if (NEMESIS.equals(nameOf(process)))
        {
            return null;
        }
        if (!(process instanceof Long))
        {
            throw fieldError(source, line, "process", "an integer (or nemesis)", process);
        }
        Object typeValue = required(fields, "type", source, line);
        RecordType type = RecordType.fromJepsenName(nameOf(typeValue));
        if (type == null)
        {
            throw fieldError(source, line, "type", "one of invoke, ok, fail, info", typeValue);
        }
        Object f = required(fields, "f", source, line);
        if (nameOf(f) == null || nameOf(f).isEmpty())
        {
            throw fieldError(source, line, "f", "an operation name", f);
        }
        Object time = fields.get(fieldKey("time"));
        if (time != null && !(time instanceof Long))
        {
            throw fieldError(source, line, "time", "an integer number of nanoseconds", time);
        }
        Object error = fields.get(fieldKey("error"));
        return new HistoryRecord(line, (Long) process, type, nameOf(f), fields.get(fieldKey("key")),
            fields.get(fieldKey("value")), time == null ? OptionalLong.empty() : OptionalLong.of((Long) time),
            error == null ? null : errorText(error));
    }

    private Object required(final Map<?, ?> fields, final String name, final String source, final int line)
        throws HistoryFormatException
    {
        Object value = fields.get(fieldKey(name));
        if (value == null)
        {
            throw new HistoryFormatException(source, line, "expected a field " + fieldKey(name) + ", found "
                + (fields.containsKey(fieldKey(name)) ? "null" : "none") + " among " + fields.keySet());
        }
        return value;
    }

    private HistoryFormatException fieldError(final String source, final int line, final String name,
        final String expected, final Object found)
    {
        return new HistoryFormatException(source, line, "expected " + fieldKey(name) + " to be " + expected
            + ", found " + describe(found));
    }

    /** The name of a keyword or string, else null. */
    static String nameOf(final Object value)
    {
        if (value instanceof Keyword)
        {
            return ((Keyword) value).name();
        }
        return value instanceof String ? (String) value : null;
    }

    private static String errorText(final Object error)
    {
        String name = nameOf(error);
        return name != null ? name : String.valueOf(error);
    }

    static String describe(final Object value)
    {
        if (value == null)
        {
            return "null";
        }
        String text = value instanceof String ? "\"" + value + "\"" : value.toString();
        return (text.length() > 40 ? text.substring(0, 40) + "..." : text) + " (" + value.getClass().getSimpleName()
            + ")";
    }
}
