package io.tributary.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The answer to a produce request: one {@link AppendResultDescriptor} per request item, in the
 * request's order. Version 1, little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |        version (int16)        |       itemCount (uint16)      |  0
 *  +-------------------------------+-------------------------------+
 *  |                       reserved (int32)                        |  4
 *  +---------------------------------------------------------------+
 *  |   results (AppendResultDescriptor), itemCount of them        ...  8
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class ProduceResponseDescriptor
{
    public static final short VERSION = 1;
    public static final int VERSION_OFFSET = 0;
    public static final int ITEM_COUNT_OFFSET = 2;
    public static final int HEADER_LENGTH = 8;

    private ProduceResponseDescriptor()
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
}
