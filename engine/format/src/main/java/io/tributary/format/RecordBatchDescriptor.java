package io.tributary.format;

/**
 * The binary layout of a record batch, version 1: what a producer builds, what the engine stores
 * verbatim as one Chronicle excerpt, and what a consumer receives. All integers little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      batchLength (int32)                      |  0  whole batch, header included
 *  +-------------------------------+---------------+---------------+
 *  |         magic (0x5442)        |  version (1)  | reserved (0)  |  4
 *  +-------------------------------+---------------+---------------+
 *  |                      baseOffset (int64)                       |  8  assigned by the engine
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      raftIndex (int64)                        | 16  assigned by the engine
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      headerCrc (int32)                        | 24  CRC32C of bytes [0, 24)
 *  +---------------------------------------------------------------+
 *  |                      crc (int32)                              | 28  CRC32C of bytes [32, batchLength)
 *  +---------------------------------------------------------------+
 *  |                      producerId (int64)                       | 32  -1: not idempotent
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      baseSequence (int32)                     | 40  sequence of the first record
 *  +-------------------------------+-------------------------------+
 *  |     producerEpoch (int16)     |      attributes (int16)       | 44  bits 0-2: codec (0 = none)
 *  +-------------------------------+-------------------------------+
 *  |                      recordCount (int32)                      | 48
 *  +---------------------------------------------------------------+
 *  |                      reserved (int32, 0)                      | 52
 *  +---------------------------------------------------------------+
 *  |                      firstTimestampMs (int64)                 | 56
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      lastTimestampMs (int64)                  | 64  greatest record timestamp
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      records ... (see RecordDescriptor)       | 72
 * </pre>
 *
 * <p>Why two checksums: the body CRC ({@code crc}) is computed once by the producer over
 * everything after it and is never recomputed, so the engine checks it without touching the
 * body twice. The engine then writes {@code baseOffset} and {@code raftIndex} into the stored
 * copy and seals them with {@code headerCrc}, which covers only 24 bytes. A flipped bit anywhere
 * in a stored batch therefore fails one of the two checks.
 */
public final class RecordBatchDescriptor
{
    public static final short MAGIC = 0x5442; // "TB" little-endian
    public static final byte CURRENT_VERSION = 1;

    public static final int BATCH_LENGTH_OFFSET = 0;
    public static final int MAGIC_OFFSET = 4;
    public static final int VERSION_OFFSET = 6;
    public static final int HEADER_RESERVED_OFFSET = 7;
    public static final int BASE_OFFSET_OFFSET = 8;
    public static final int RAFT_INDEX_OFFSET = 16;
    public static final int HEADER_CRC_OFFSET = 24;
    public static final int CRC_OFFSET = 28;
    public static final int PRODUCER_ID_OFFSET = 32;
    public static final int BASE_SEQUENCE_OFFSET = 40;
    public static final int PRODUCER_EPOCH_OFFSET = 44;
    public static final int ATTRIBUTES_OFFSET = 46;
    public static final int RECORD_COUNT_OFFSET = 48;
    public static final int BODY_RESERVED_OFFSET = 52;
    public static final int FIRST_TIMESTAMP_OFFSET = 56;
    public static final int LAST_TIMESTAMP_OFFSET = 64;
    public static final int RECORDS_OFFSET = 72;

    /** Bytes covered by {@code headerCrc}: everything before it. */
    public static final int HEADER_CRC_COVERED_LENGTH = HEADER_CRC_OFFSET;
    /** The body CRC covers [CRC_COVERED_START, batchLength). */
    public static final int CRC_COVERED_START = PRODUCER_ID_OFFSET;
    public static final int HEADER_LENGTH = RECORDS_OFFSET;

    public static final long NO_PRODUCER_ID = -1L;
    public static final int NO_SEQUENCE = -1;
    public static final short NO_EPOCH = -1;

    public static final int ATTRIBUTE_CODEC_MASK = 0x7;
    public static final int CODEC_NONE = 0;

    /**
     * Largest batch a shard accepts unless configured otherwise (nodes: shard.max.batch.bytes; producers:
     * maxBatchBytes).
     */
    public static final int DEFAULT_MAX_BATCH_BYTES = 1 << 20;
    /** Longest key a shard accepts unless configured otherwise. */
    public static final int DEFAULT_MAX_KEY_BYTES = 1024;

    /** A record needs at least its fixed fields, so this bounds recordCount by batchLength. */
    public static final int MIN_RECORD_LENGTH = RecordDescriptor.MIN_RECORD_LENGTH;

    private RecordBatchDescriptor()
    {
    }

    /** Offset of the last record in a batch: count 0 is invalid, so this is always >= base. */
    public static long lastOffset(final long baseOffset, final int recordCount)
    {
        return baseOffset + recordCount - 1;
    }
}
