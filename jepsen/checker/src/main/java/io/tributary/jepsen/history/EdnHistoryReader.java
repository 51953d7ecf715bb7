package io.tributary.jepsen.history;

import io.tributary.jepsen.internal.Edn;

/**
 * Reads Jepsen histories written as one EDN map per line, as in porcupine's kv histories:
 *
 * <pre>
 * {:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}
 * {:process 0, :type :ok, :f :append, :key "0", :value "x 0 0 y"}
 * </pre>
 *
 * Fields: {@code :process} (integer; {@code :nemesis} lines are skipped), {@code :type}
 * ({@code :invoke :ok :fail :info}), {@code :f}, and optionally {@code :key}, {@code :value},
 * {@code :time} (nanoseconds; all lines or none) and {@code :error}. A tagged map such as Jepsen 0.3's
 * {@code #jepsen.history.Op{...}} is read as its map. Blank lines and {@code ;} comments are skipped.
 * Stateless and thread-safe.
 */
public final class EdnHistoryReader extends MapRecordReader
{

    @Override
    Object parseLine(final String line)
    {
        return Edn.parse(line);
    }

    @Override
    Object fieldKey(final String name)
    {
        return new Keyword(name);
    }

    @Override
    String expectedLine()
    {
        return "an EDN map such as {:process 0, :type :invoke, :f :read, :value nil}";
    }

    @Override
    boolean isBlank(final String line)
    {
        String trimmed = line.strip();
        return trimmed.isEmpty() || trimmed.startsWith(";");
    }
}
