package io.tributary.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A fetch request: one per node, reading any of the shards it holds a replica of. With
 * {@code maxWaitMs > 0} the node answers once any item has data, or when the wait ends (a
 * long-poll, Kafka's fetch.max.wait). An item with {@code maxBytes = 0} asks only for the
 * replica's position (status). Version 1, little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |        version (int16)        |       itemCount (uint16)      |  0
 *  +-------------------------------+-------------------------------+
 *  |                       maxWaitMs (int32)                       |  4
 *  +---------------------------------------------------------------+
 *  items, 40 bytes each:
 *  +---------------------------------------------------------------+
 *  |              group id, most significant bits (int64)          |  0
 *  +---------------------------------------------------------------+
 *  |              group id, least significant bits (int64)         |  8
 *  +---------------------------------------------------------------+
 *  |                       fromOffset (int64)                      | 16
 *  +---------------------------------------------------------------+
 *  |                     minAppliedIndex (int64)                   | 24   follower reads: not before this
 *  +---------------------------------------------------------------+
 *  |                        maxBytes (int32)                       | 32   0: position only
 *  +---------------+-----------------------------------------------+
 *  |  consistency  |                  reserved                     | 36   0 linearizable, 1 follower
 *  +---------------+-----------------------------------------------+
 * </pre>
 */
public final class FetchRequestDescriptor
{
    public static final short VERSION = 1;
    public static final int VERSION_OFFSET = 0;
    public static final int ITEM_COUNT_OFFSET = 2;
    public static final int MAX_WAIT_MS_OFFSET = 4;
    public static final int HEADER_LENGTH = 8;

    public static final int ITEM_GROUP_MSB_OFFSET = 0;
    public static final int ITEM_GROUP_LSB_OFFSET = 8;
    public static final int ITEM_FROM_OFFSET_OFFSET = 16;
    public static final int ITEM_MIN_APPLIED_INDEX_OFFSET = 24;
    public static final int ITEM_MAX_BYTES_OFFSET = 32;
    public static final int ITEM_CONSISTENCY_OFFSET = 36;
    public static final int ITEM_LENGTH = 40;

    /** Through the leader, after Raft confirms it still leads (ReadIndex or lease). */
    public static final byte CONSISTENCY_LINEARIZABLE = 0;
    /** Whatever replica is asked, once it has applied minAppliedIndex. */
    public static final byte CONSISTENCY_FOLLOWER = 1;

    /** Longest long-poll a node accepts. */
    public static final int MAX_WAIT_MS_MAX = 60_000;

    private FetchRequestDescriptor()
    {
    }

    public static void writeHeader(final MutableDirectBuffer buffer, final int offset, final int itemCount,
        final int maxWaitMs)
    {
        buffer.putShort(offset + VERSION_OFFSET, VERSION);
        buffer.putShort(offset + ITEM_COUNT_OFFSET, (short)itemCount);
        buffer.putInt(offset + MAX_WAIT_MS_OFFSET, maxWaitMs);
    }

    public static void writeItem(final MutableDirectBuffer buffer, final int itemOffset, final long groupMsb,
        final long groupLsb,
        final long fromOffset, final long minAppliedIndex, final int maxBytes, final byte consistency)
    {
        buffer.putLong(itemOffset + ITEM_GROUP_MSB_OFFSET, groupMsb);
        buffer.putLong(itemOffset + ITEM_GROUP_LSB_OFFSET, groupLsb);
        buffer.putLong(itemOffset + ITEM_FROM_OFFSET_OFFSET, fromOffset);
        buffer.putLong(itemOffset + ITEM_MIN_APPLIED_INDEX_OFFSET, minAppliedIndex);
        buffer.putInt(itemOffset + ITEM_MAX_BYTES_OFFSET, maxBytes);
        buffer.putInt(itemOffset + ITEM_CONSISTENCY_OFFSET, consistency & 0xFF);
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VERSION_OFFSET);
    }

    public static int itemCount(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ITEM_COUNT_OFFSET) & 0xFFFF;
    }

    public static int maxWaitMs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + MAX_WAIT_MS_OFFSET);
    }

    public static int itemOffset(final int offset, final int index)
    {
        return offset + HEADER_LENGTH + index * ITEM_LENGTH;
    }
}
