package io.tributary.jepsen.history;

import java.util.OptionalLong;

/**
 * One line of a history: a client process invoking or completing an operation, as Jepsen records it.
 *
 * <p>Values are plain Java objects: {@code null}, {@link Boolean}, {@link Long}, {@link Double},
 * {@link String}, {@link Keyword}, {@link java.util.List} and {@link java.util.Map}. What a value means
 * depends on the model and the operation (a written value, a read result, a [expected new] pair, an
 * offset): see the decoders in {@code io.tributary.jepsen.models}.
 *
 * @param line 1-based line in the source; 0 for records not read from a file
 * @param process the client process; a process runs one operation at a time
 * @param type invoke, ok, fail or info
 * @param f the operation's name, such as {@code read} (without a keyword's colon)
 * @param key the key or shard the operation applies to; {@code null} if none
 * @param value the operation's value
 * @param time when it happened, in nanoseconds, if the source has times
 * @param error the error of a fail or info record, such as {@code timed-out}; {@code null} if none
 */
public record HistoryRecord(int line, long process, RecordType type, String f, Object key, Object value,
                            OptionalLong time, String error)
{

    /** The error that makes a {@code fail} record indeterminate: the client stopped waiting. */
    public static final String TIMED_OUT = "timed-out";

    public HistoryRecord
    {
        if (type == null)
        {
            throw new IllegalArgumentException("line " + line + ": a record needs a type");
        }
        if (f == null || f.isEmpty())
        {
            throw new IllegalArgumentException("line " + line + ": a record needs an operation name f");
        }
        if (time == null)
        {
            throw new IllegalArgumentException("line " + line + ": time must be OptionalLong.empty(), not null");
        }
    }

    /** A record for a writer: no source line, no error. */
    public static HistoryRecord of(final long process, final RecordType type, final String f, final Object key,
        final Object value, final long timeNs)
    {
        return new HistoryRecord(0, process, type, f, key, value, OptionalLong.of(timeNs), null);
    }

    public HistoryRecord withLine(final int newLine)
    {
        return new HistoryRecord(newLine, process, type, f, key, value, time, error);
    }

    public HistoryRecord withError(final String newError)
    {
        return new HistoryRecord(line, process, type, f, key, value, time, newError);
    }

    /** Whether the operation may or may not have taken effect. */
    public boolean isIndeterminate()
    {
        return type == RecordType.INFO || (type == RecordType.FAIL && TIMED_OUT.equals(error));
    }
}
