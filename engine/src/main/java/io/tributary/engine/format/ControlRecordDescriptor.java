package io.tributary.engine.format;

/**
 * A control excerpt in a shard's queue: never returned to consumers, it changes how the
 * excerpts before it are read. Chronicle Queue cannot remove excerpts, so truncation is a
 * marker that voids a range of earlier excerpts; recovery and reads honour it.
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  |  length (int32) = 40                                          |  0
 *  +-------------------------------+---------------+---------------+
 *  |  magic (0x4354 "TC")          |  version (1)  |  type         |  4   type 1: TRUNCATE
 *  +-------------------------------+---------------+---------------+
 *  |  voidFromExcerptIndex (int64)  first voided excerpt            |  8
 *  +---------------------------------------------------------------+
 *  |  nextOffset (int64)  offset the next appended batch gets        | 16
 *  +---------------------------------------------------------------+
 *  |  lastRaftIndex (int64)  raft index of the last surviving batch  | 24
 *  +---------------------------------------------------------------+
 *  |  crc (int32)  CRC32C of bytes [0, 32)                           | 32
 *  +---------------------------------------------------------------+
 *  |  reserved (int32, 0)                                          | 36
 *  +---------------------------------------------------------------+
 * </pre>
 * Every excerpt with index in [voidFromExcerptIndex, index of this marker) is void.
 */
public final class ControlRecordDescriptor
{
    public static final short MAGIC = 0x4354; // "TC" little-endian
    public static final byte CURRENT_VERSION = 1;
    public static final byte TYPE_TRUNCATE = 1;

    public static final int LENGTH_OFFSET = 0;
    public static final int MAGIC_OFFSET = 4;
    public static final int VERSION_OFFSET = 6;
    public static final int TYPE_OFFSET = 7;
    public static final int VOID_FROM_EXCERPT_INDEX_OFFSET = 8;
    public static final int NEXT_OFFSET_OFFSET = 16;
    public static final int LAST_RAFT_INDEX_OFFSET = 24;
    public static final int CRC_OFFSET = 32;
    public static final int RESERVED_OFFSET = 36;
    public static final int LENGTH = 40;

    private ControlRecordDescriptor()
    {
    }
}
