package io.tributary.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A produce request: one per node, carrying record batches for any of the shards that node
 * leads (as Kafka's ProduceRequest does), each an {@link AppendItemDescriptor} after its shard's
 * Raft group id. Answered by one {@link ProduceResponseDescriptor} with a result per item, in
 * the same order. Version 1, little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |        version (int16)        |       itemCount (uint16)      |  0
 *  +-------------------------------+-------------------------------+
 *  |                       reserved (int32)                        |  4
 *  +---------------------------------------------------------------+
 *  items, each:
 *  +---------------------------------------------------------------+
 *  |              group id, most significant bits (int64)          |  0
 *  +---------------------------------------------------------------+
 *  |              group id, least significant bits (int64)         |  8
 *  +---------------------------------------------------------------+
 *  |              append item (AppendItemDescriptor)              ... 16
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class ProduceRequestDescriptor
{
    public static final short VERSION = 1;
    public static final int VERSION_OFFSET = 0;
    public static final int ITEM_COUNT_OFFSET = 2;
    public static final int HEADER_LENGTH = 8;
    public static final int ITEM_GROUP_MSB_OFFSET = 0;
    public static final int ITEM_GROUP_LSB_OFFSET = 8;
    /** Where the append item starts within a produce item. */
    public static final int ITEM_APPEND_OFFSET = 16;
    public static final int ITEM_COUNT_MAX = 0xFFFF;

    private ProduceRequestDescriptor()
    {
    }

    public static void writeHeader(final MutableDirectBuffer buffer, final int offset, final int itemCount)
    {
        buffer.putShort(offset + VERSION_OFFSET, VERSION);
        buffer.putShort(offset + ITEM_COUNT_OFFSET, (short)itemCount);
        buffer.putInt(offset + 4, 0);
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VERSION_OFFSET);
    }

    public static int itemCount(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ITEM_COUNT_OFFSET) & 0xFFFF;
    }

    /** Bytes of the item at {@code itemOffset}: its group id and append item. */
    public static int itemLength(final DirectBuffer buffer, final int itemOffset)
    {
        return ITEM_APPEND_OFFSET + AppendItemDescriptor.itemLength(buffer, itemOffset + ITEM_APPEND_OFFSET);
    }
}
