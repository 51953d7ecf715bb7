package io.tributary.protocol;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One record batch on its way to a shard, with its append condition and trace context: an item
 * of a produce request (after the shard's group id) and, byte for byte, an item of the Raft entry
 * the shard's leader makes of everything queued (so the node copies it without re-encoding).
 * Version 1, little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  itemLength (int32, header included)          |  0
 *  +---------------+---------------+-------------------------------+
 *  |     flags     |   reserved    |   traceparentLength (uint16)  |  4   flags: 1 shard condition, 2 key condition
 *  +---------------+---------------+-------------------------------+
 *  |                  conditionKeyLength (int32)                   |  8
 *  +---------------------------------------------------------------+
 *  |             expectedShardLastOffset (int64)                   | 12
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |             expectedKeyLastOffset (int64)                     | 20
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |  traceparent (ASCII) | condition key | record batch ...         | 28
 *  +---------------------------------------------------------------+
 * </pre>
 * The record batch fills the rest of the item: batch length = itemLength - 28 - traceparent - key.
 */
public final class AppendItemDescriptor
{
    public static final int ITEM_LENGTH_OFFSET = 0;
    public static final int FLAGS_OFFSET = 4;
    public static final int TRACEPARENT_LENGTH_OFFSET = 6;
    public static final int KEY_LENGTH_OFFSET = 8;
    public static final int EXPECTED_SHARD_LAST_OFFSET_OFFSET = 12;
    public static final int EXPECTED_KEY_LAST_OFFSET_OFFSET = 20;
    public static final int HEADER_LENGTH = 28;

    public static final int FLAG_SHARD_CONDITION = 1;
    public static final int FLAG_KEY_CONDITION = 2;
    public static final int FLAGS_KNOWN = FLAG_SHARD_CONDITION | FLAG_KEY_CONDITION;
    /** A traceparent is 55 characters (W3C); leave room for future versions, refuse anything absurd. */
    public static final int TRACEPARENT_LENGTH_MAX = 256;

    private AppendItemDescriptor()
    {
    }

    /** Bytes of an item carrying these parts. */
    public static int itemLength(final int traceparentLength, final int keyLength, final int batchLength)
    {
        return HEADER_LENGTH + traceparentLength + keyLength + batchLength;
    }

    /**
     * Writes an item's header at {@code offset}; the traceparent, key and batch follow it (see
     * {@link #batchOffset}). {@code traceparent} may be null; the key conditions are written as given.
     *
     * @return the offset of the traceparent, where the variable parts start.
     */
    public static int writeHeader(final MutableDirectBuffer buffer, final int offset, final int flags,
        final int traceparentLength, final int keyLength, final long expectedShardLastOffset,
            final long expectedKeyLastOffset,
        final int batchLength)
    {
        buffer.putInt(offset + ITEM_LENGTH_OFFSET, itemLength(traceparentLength, keyLength, batchLength));
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        buffer.putByte(offset + FLAGS_OFFSET + 1, (byte)0);
        buffer.putShort(offset + TRACEPARENT_LENGTH_OFFSET, (short)traceparentLength);
        buffer.putInt(offset + KEY_LENGTH_OFFSET, keyLength);
        buffer.putLong(offset + EXPECTED_SHARD_LAST_OFFSET_OFFSET, expectedShardLastOffset);
        buffer.putLong(offset + EXPECTED_KEY_LAST_OFFSET_OFFSET, expectedKeyLastOffset);
        return offset + HEADER_LENGTH;
    }

    /**
     * Checks an item's framing against the {@code available} bytes from {@code offset}.
     *
     * @return null when it is well-formed, else what is wrong (for the error reply).
     */
    public static String validate(final DirectBuffer buffer, final int offset, final int available)
    {
        if (available < HEADER_LENGTH)
        {
            return "item at byte " + offset + " has " + available + " bytes, less than its " + HEADER_LENGTH
                + "-byte header";
        }
        final int itemLength = itemLength(buffer, offset);
        final int flags = flags(buffer, offset);
        final int traceLength = traceparentLength(buffer, offset);
        final int keyLength = keyLength(buffer, offset);
        if (itemLength < HEADER_LENGTH || itemLength > available)
        {
            return "item at byte " + offset + " says it is " + itemLength + " bytes long; " + available + " remain";
        }
        if ((flags & ~FLAGS_KNOWN) != 0)
        {
            return "item at byte " + offset + " has unknown flags 0x" + Integer.toHexString(flags);
        }
        if (traceLength > TRACEPARENT_LENGTH_MAX || keyLength < 0 || (long)HEADER_LENGTH + traceLength
            + keyLength > itemLength)
        {
            return "item at byte " + offset + " of " + itemLength + " bytes has a traceparent of " + traceLength
                + " bytes and a condition key of " + keyLength + " bytes, which do not fit";
        }
        if ((flags & FLAG_KEY_CONDITION) == 0 && keyLength != 0)
        {
            return "item at byte " + offset + " carries a condition key of " + keyLength
                + " bytes without a key condition";
        }
        return null;
    }

    public static int itemLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + ITEM_LENGTH_OFFSET);
    }

    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    public static int traceparentLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TRACEPARENT_LENGTH_OFFSET) & 0xFFFF;
    }

    public static int keyLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + KEY_LENGTH_OFFSET);
    }

    public static long expectedShardLastOffset(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + EXPECTED_SHARD_LAST_OFFSET_OFFSET);
    }

    public static long expectedKeyLastOffset(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + EXPECTED_KEY_LAST_OFFSET_OFFSET);
    }

    public static int keyOffset(final DirectBuffer buffer, final int offset)
    {
        return offset + HEADER_LENGTH + traceparentLength(buffer, offset);
    }

    public static int batchOffset(final DirectBuffer buffer, final int offset)
    {
        return keyOffset(buffer, offset) + keyLength(buffer, offset);
    }

    public static int batchLength(final DirectBuffer buffer, final int offset)
    {
        return offset + itemLength(buffer, offset) - batchOffset(buffer, offset);
    }

    /** The traceparent, or null; allocates (tracing is on only when asked for). */
    public static String traceparent(final DirectBuffer buffer, final int offset)
    {
        final int length = traceparentLength(buffer, offset);
        if (length == 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset + HEADER_LENGTH, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
