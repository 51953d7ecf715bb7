package io.tributary.jepsen.history;

import io.tributary.jepsen.internal.Json;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Writes a history in the JSON-lines format that {@link JsonLinesReader} reads (see there for the
 * fields). Values may be null, booleans, integers, doubles, strings, lists and maps with string keys;
 * keywords are written as their name.
 *
 * <p>Thread-safe: clients of a test may record concurrently. The order of lines is the history's order,
 * so a record's time must be taken in the same critical section as its write; {@link #record} does this
 * with the writer's clock. The writer owns nothing: closing it closes the underlying {@link Writer}.
 */
public final class JsonLinesWriter implements Closeable, Flushable
{
    private final Writer out;
    private final LongSupplier clockNs;
    private long lastTimeNs = Long.MIN_VALUE;

    /** A writer that stamps {@link #record}s with {@code clockNs}, e.g. {@code System::nanoTime}. */
    public JsonLinesWriter(final Writer out, final LongSupplier clockNs)
    {
        this.out = out;
        this.clockNs = clockNs;
    }

    /** Stamps the record with the clock and writes it, atomically with respect to other calls. */
    public synchronized HistoryRecord record(final long process, final RecordType type, final String f,
        final Object key, final Object value,
                                             final String error) throws IOException
    {
        HistoryRecord record = HistoryRecord.of(process, type, f, key, value, clockNs.getAsLong()).withError(error);
        write(record);
        return record;
    }

    /**
     * Writes a record that already has its time (or, for every record of the file, none).
     *
     * @throws IllegalArgumentException if its time is before the last written time (the reader would
     *     reject the file)
     */
    public synchronized void write(final HistoryRecord record) throws IOException
    {
        if (record.time().isPresent())
        {
            long timeNs = record.time().getAsLong();
            if (timeNs < lastTimeNs)
            {
                throw new IllegalArgumentException("record time " + timeNs + " ns is before the previous record's "
                    + lastTimeNs + " ns; write records in the order they happened");
            }
            lastTimeNs = timeNs;
        }
        out.write(toLine(record));
        out.write('\n');
    }

    /** The JSON line of a record, without the newline. */
    public static String toLine(final HistoryRecord record)
    {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("process", record.process());
        fields.put("type", record.type().jepsenName());
        fields.put("f", record.f());
        if (record.key() != null)
        {
            fields.put("key", record.key());
        }
        fields.put("value", record.value());
        if (record.time().isPresent())
        {
            fields.put("time", record.time().getAsLong());
        }
        if (record.error() != null)
        {
            fields.put("error", record.error());
        }
        return Json.write(fields);
    }

    @Override
    public synchronized void flush() throws IOException
    {
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException
    {
        out.close();
    }
}
