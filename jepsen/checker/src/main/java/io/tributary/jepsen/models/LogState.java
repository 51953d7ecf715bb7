package io.tributary.jepsen.models;

import java.util.Objects;

/**
 * The entries of one shard of a log, immutable and persistent: appending shares every earlier entry, so
 * the checker's many branching states cost one node each. Reading an offset walks back from the end,
 * which suits reads of recent offsets. Equality compares sizes and hashes first and stops walking where
 * two states share their history. Thread-safe (immutable).
 */
public final class LogState
{
    static final LogState EMPTY = new LogState(null, null, 0, 0x9E3779B97F4A7C15L);
    /** How many of the last entries {@link #toString} shows. */
    private static final int SHOWN_MAX = 6;

    private final LogState previous;
    private final Object last;
    private final int size;
    private final long hash;

    private LogState(final LogState previous, final Object last, final int size, final long hash)
    {
        this.previous = previous;
        this.last = last;
        this.size = size;
        this.hash = hash;
    }

    LogState append(final Object value)
    {
        if (size == Integer.MAX_VALUE)
        {
            throw new IllegalStateException("log state is full at " + size + " entries");
        }
        return new LogState(this, value, size + 1, hash * 0x100000001B3L + Objects.hashCode(value) + 1);
    }

    /** The number of entries, which is also the next offset. */
    public int size()
    {
        return size;
    }

    /** The entry at an offset in {@code [0, size)}. */
    public Object get(final long offset)
    {
        if (offset < 0 || offset >= size)
        {
            throw new IndexOutOfBoundsException("offset " + offset + " is outside [0, " + size + ")");
        }
        LogState node = this;
        for (long steps = size - 1 - offset; steps > 0; steps--)
        {
            node = node.previous;
        }
        return node.last;
    }

    long longHash()
    {
        return hash;
    }

    @Override
    public boolean equals(final Object other)
    {
        if (!(other instanceof LogState))
        {
            return false;
        }
        LogState a = this;
        LogState b = (LogState) other;
        if (a.size != b.size || a.hash != b.hash)
        {
            return false;
        }
        while (a != b)
        {
            if (!Objects.equals(a.last, b.last))
            {
                return false;
            }
            a = a.previous;
            b = b.previous;
        }
        return true;
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(hash);
    }

    /** The size and the last few entries: a long log shown in full would swamp a report. */
    @Override
    public String toString()
    {
        StringBuilder shown = new StringBuilder();
        LogState node = this;
        for (int i = 0; i < Math.min(size, SHOWN_MAX); i++)
        {
            shown.insert(0, (i == 0 ? "" : " ")).insert(0, Values.show(node.last));
            node = node.previous;
        }
        String elided = size > SHOWN_MAX ? "... " : "";
        return "[" + elided + shown + "] (" + size + (size == 1 ? " entry)" : " entries)");
    }
}
