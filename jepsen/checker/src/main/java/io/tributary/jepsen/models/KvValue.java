package io.tributary.jepsen.models;

/**
 * One key's value in the {@link KvModel}: an immutable string built by puts and appends, as a chain of
 * appended pieces. Appending allocates one node and updates a 64-bit polynomial hash in O(length of the
 * piece), where a {@link String} state would copy and rehash the whole value on every append; the
 * checker keeps millions of such states. Equality compares lengths and hashes first, then characters from
 * the end (where values built differently usually differ), and stops where two values share a node.
 * Thread-safe (immutable).
 */
public final class KvValue
{
    static final KvValue EMPTY = new KvValue(null, "", 0, 0);
    private static final long BASE = 0x100000001B3L;

    private final KvValue prefix;
    private final String piece;
    private final int length;
    private final long hash;

    private KvValue(final KvValue prefix, final String piece, final int length, final long hash)
    {
        this.prefix = prefix;
        this.piece = piece;
        this.length = length;
        this.hash = hash;
    }

    static KvValue of(final String value)
    {
        return EMPTY.append(value);
    }

    KvValue append(final String value)
    {
        if (value.isEmpty())
        {
            return this;
        }
        if ((long) length + value.length() > Integer.MAX_VALUE)
        {
            throw new IllegalStateException("kv value would exceed " + Integer.MAX_VALUE + " characters");
        }
        long h = hash;
        for (int i = 0; i < value.length(); i++)
        {
            h = h * BASE + value.charAt(i);
        }
        return new KvValue(length == 0 ? null : this, value, length + value.length(), h);
    }

    public int length()
    {
        return length;
    }

    long longHash()
    {
        return hash;
    }

    /** Whether this value is exactly {@code text}. */
    boolean contentEquals(final String text)
    {
        if (text.length() != length)
        {
            return false;
        }
        int end = length;
        for (KvValue node = this; node != null && node.length > 0; node = node.prefix)
        {
            int start = end - node.piece.length();
            if (!text.regionMatches(start, node.piece, 0, node.piece.length()))
            {
                return false;
            }
            end = start;
        }
        return true;
    }

    @Override
    public boolean equals(final Object other)
    {
        if (!(other instanceof KvValue))
        {
            return false;
        }
        KvValue that = (KvValue) other;
        if (this == that)
        {
            return true;
        }
        return length == that.length && hash == that.hash && sameCharacters(this, that);
    }

    /**
     * Compares two values of equal length from the end, a character at a time, until they differ or reach
     * the same node at the same position (the rest is then shared).
     */
    private static boolean sameCharacters(final KvValue first, final KvValue second)
    {
        KvValue a = first;
        KvValue b = second;
        int ai = a.piece.length();
        int bi = b.piece.length();
        for (int remaining = a.length; remaining > 0; )
        {
            if (a == b && ai == bi)
            {
                return true;
            }
            if (ai == 0)
            {
                a = a.prefix;
                ai = a.piece.length();
            }
            else if (bi == 0)
            {
                b = b.prefix;
                bi = b.piece.length();
            }
            else if (a.piece.charAt(--ai) != b.piece.charAt(--bi))
            {
                return false;
            }
            else
            {
                remaining--;
            }
        }
        return true;
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(hash);
    }

    @Override
    public String toString()
    {
        char[] chars = new char[length];
        int end = length;
        for (KvValue node = this; node != null && node.length > 0; node = node.prefix)
        {
            int start = end - node.piece.length();
            node.piece.getChars(0, node.piece.length(), chars, start);
            end = start;
        }
        return new String(chars);
    }
}
