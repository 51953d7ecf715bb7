package io.tributary.engine;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Optional preconditions of an append (optimistic concurrency): the shard's last offset, and
 * the last offset of one key, must equal the expected values, or nothing is appended. -1 means
 * "no record yet". Reusable; not thread-safe.
 */
public final class AppendCondition
{
    public static final long UNCHECKED = Long.MIN_VALUE;
    public static final long NO_RECORD = -1L;

    private long expectedShardLastOffset = UNCHECKED;
    private long expectedKeyLastOffset = UNCHECKED;
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[0]);
    private int keyOffset;
    private int keyLength;

    public AppendCondition clear()
    {
        expectedShardLastOffset = UNCHECKED;
        expectedKeyLastOffset = UNCHECKED;
        keyLength = 0;
        return this;
    }

    public AppendCondition expectShardLastOffset(final long offset)
    {
        checkExpected(offset);
        this.expectedShardLastOffset = offset;
        return this;
    }

    public AppendCondition expectKeyLastOffset(final byte[] key, final long offset)
    {
        return expectKeyLastOffset(new UnsafeBuffer(key), 0, key.length, offset);
    }

    /** The key bytes are referenced, not copied: keep them unchanged until the append returns. */
    public AppendCondition expectKeyLastOffset(final DirectBuffer key, final int offset, final int length,
        final long expected)
    {
        checkExpected(expected);
        this.key.wrap(key, offset, length);
        this.keyOffset = 0;
        this.keyLength = length;
        this.expectedKeyLastOffset = expected;
        return this;
    }

    private static void checkExpected(final long offset)
    {
        if (offset < NO_RECORD)
        {
            throw new IllegalArgumentException("expected offset " + offset
                + " is invalid: use -1 (no record) or an offset >= 0");
        }
    }

    public long expectedShardLastOffset()
    {
        return expectedShardLastOffset;
    }

    public long expectedKeyLastOffset()
    {
        return expectedKeyLastOffset;
    }

    public boolean checksKey()
    {
        return expectedKeyLastOffset != UNCHECKED;
    }

    public DirectBuffer key()
    {
        return key;
    }

    public int keyOffset()
    {
        return keyOffset;
    }

    public int keyLength()
    {
        return keyLength;
    }
}
