package io.tributary.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The answer to a fetch request: per request item, in order, the replica's position and the
 * whole stored batches from the requested offset (copied once from the mapped file), or an error.
 * Version 1, little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |        version (int16)        |       itemCount (uint16)      |  0
 *  +-------------------------------+-------------------------------+
 *  |                       reserved (int32)                        |  4
 *  +---------------------------------------------------------------+
 *  items, each:
 *  +---------------+---------------+-------------------------------+
 *  | status (code) |     role      |           reserved            |  0   role: 0 follower, 1 leader, 2 other
 *  +---------------+---------------+-------------------------------+
 *  |                       dataLength (int32)                      |  4
 *  +---------------------------------------------------------------+
 *  |                       firstOffset (int64)                     |  8   first offset the replica still holds
 *  +---------------------------------------------------------------+
 *  |                       nextOffset (int64)                      | 16   offset the next record will get
 *  +---------------------------------------------------------------+
 *  |                       appliedIndex (int64)                    | 24   Raft index applied when read
 *  +---------------------------------------------------------------+
 *  |                       batchCount (int64)                      | 32   batches stored (for statistics)
 *  +---------------------------------------------------------------+
 *  |                       retainedBytes (int64)                   | 40
 *  +---------------------------------------------------------------+
 *  |  data: batches (OK), UTF-8 message (errors), leader id       ... 48
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class FetchResponseDescriptor
{
    public static final short VERSION = 1;
    public static final int VERSION_OFFSET = 0;
    public static final int ITEM_COUNT_OFFSET = 2;
    public static final int HEADER_LENGTH = 8;

    public static final int ITEM_STATUS_OFFSET = 0;
    public static final int ITEM_ROLE_OFFSET = 1;
    public static final int ITEM_DATA_LENGTH_OFFSET = 4;
    public static final int ITEM_FIRST_OFFSET_OFFSET = 8;
    public static final int ITEM_NEXT_OFFSET_OFFSET = 16;
    public static final int ITEM_APPLIED_INDEX_OFFSET = 24;
    public static final int ITEM_BATCH_COUNT_OFFSET = 32;
    public static final int ITEM_RETAINED_BYTES_OFFSET = 40;
    public static final int ITEM_HEADER_LENGTH = 48;

    /** Read statuses (fixed codes). */
    public static final byte STATUS_OK = 0;
    /** fromOffset is below the first retained offset or past the end: first and next offset say where the data is. */
    public static final byte STATUS_OUT_OF_RANGE = 1;
    /** The replica found damaged data where it read; the message names the file and position. */
    public static final byte STATUS_CORRUPT = 2;
    public static final byte STATUS_ERROR = 3;
    /** A linearizable read reached a node that does not lead the shard; data holds the leader's id when known. */
    public static final byte STATUS_NOT_LEADER = 32;
    /** This node holds no replica of the shard. */
    public static final byte STATUS_NOT_HOSTED = 33;
    /** The node is overloaded; retry after a backoff. */
    public static final byte STATUS_BUSY = 35;
    /** A follower read reached a replica that has not applied minAppliedIndex yet; retry, or ask another replica. */
    public static final byte STATUS_BEHIND = 36;
    /** The requester's principal may not read the stream (security on); the message names the role needed. */
    public static final byte STATUS_NOT_AUTHORIZED = 37;

    public static final byte ROLE_FOLLOWER = 0;
    public static final byte ROLE_LEADER = 1;
    public static final byte ROLE_OTHER = 2;

    private FetchResponseDescriptor()
    {
    }

    public static void writeHeader(final MutableDirectBuffer buffer, final int offset, final int itemCount)
    {
        buffer.putShort(offset + VERSION_OFFSET, VERSION);
        buffer.putShort(offset + ITEM_COUNT_OFFSET, (short)itemCount);
        buffer.putInt(offset + 4, 0);
    }

    /**
     * Writes an item's header; its {@code dataLength} bytes of data follow at {@code itemOffset + ITEM_HEADER_LENGTH}.
     */
    public static void writeItemHeader(final MutableDirectBuffer buffer, final int itemOffset, final byte status,
        final byte role,
        final int dataLength, final long firstOffset, final long nextOffset, final long appliedIndex,
            final long batchCount,
        final long retainedBytes)
    {
        buffer.putByte(itemOffset + ITEM_STATUS_OFFSET, status);
        buffer.putByte(itemOffset + ITEM_ROLE_OFFSET, role);
        buffer.putShort(itemOffset + 2, (short)0);
        buffer.putInt(itemOffset + ITEM_DATA_LENGTH_OFFSET, dataLength);
        buffer.putLong(itemOffset + ITEM_FIRST_OFFSET_OFFSET, firstOffset);
        buffer.putLong(itemOffset + ITEM_NEXT_OFFSET_OFFSET, nextOffset);
        buffer.putLong(itemOffset + ITEM_APPLIED_INDEX_OFFSET, appliedIndex);
        buffer.putLong(itemOffset + ITEM_BATCH_COUNT_OFFSET, batchCount);
        buffer.putLong(itemOffset + ITEM_RETAINED_BYTES_OFFSET, retainedBytes);
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VERSION_OFFSET);
    }

    public static int itemCount(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + ITEM_COUNT_OFFSET) & 0xFFFF;
    }

    public static byte status(final DirectBuffer buffer, final int itemOffset)
    {
        return buffer.getByte(itemOffset + ITEM_STATUS_OFFSET);
    }

    public static byte role(final DirectBuffer buffer, final int itemOffset)
    {
        return buffer.getByte(itemOffset + ITEM_ROLE_OFFSET);
    }

    public static int dataLength(final DirectBuffer buffer, final int itemOffset)
    {
        return buffer.getInt(itemOffset + ITEM_DATA_LENGTH_OFFSET);
    }

    public static long firstOffset(final DirectBuffer buffer, final int itemOffset)
    {
        return buffer.getLong(itemOffset + ITEM_FIRST_OFFSET_OFFSET);
    }

    public static long nextOffset(final DirectBuffer buffer, final int itemOffset)
    {
        return buffer.getLong(itemOffset + ITEM_NEXT_OFFSET_OFFSET);
    }

    public static long appliedIndex(final DirectBuffer buffer, final int itemOffset)
    {
        return buffer.getLong(itemOffset + ITEM_APPLIED_INDEX_OFFSET);
    }

    public static long batchCount(final DirectBuffer buffer, final int itemOffset)
    {
        return buffer.getLong(itemOffset + ITEM_BATCH_COUNT_OFFSET);
    }

    public static long retainedBytes(final DirectBuffer buffer, final int itemOffset)
    {
        return buffer.getLong(itemOffset + ITEM_RETAINED_BYTES_OFFSET);
    }

    /** Bytes of the item at {@code itemOffset}, header and data. */
    public static int itemLength(final DirectBuffer buffer, final int itemOffset)
    {
        return ITEM_HEADER_LENGTH + dataLength(buffer, itemOffset);
    }

    /** A name for a status code, for messages. */
    public static String statusName(final int status)
    {
        return switch (status)
        {
            case STATUS_OK -> "OK";
            case STATUS_OUT_OF_RANGE -> "OUT_OF_RANGE";
            case STATUS_CORRUPT -> "CORRUPT";
            case STATUS_ERROR -> "ERROR";
            case STATUS_NOT_LEADER -> "NOT_LEADER";
            case STATUS_NOT_HOSTED -> "NOT_HOSTED";
            case STATUS_BUSY -> "BUSY";
            case STATUS_BEHIND -> "BEHIND";
            case STATUS_NOT_AUTHORIZED -> "NOT_AUTHORIZED";
            default -> "status " + status;
        };
    }
}
