package io.tributary.format;

/**
 * The layout of one record inside a batch, version 1. Little-endian, fixed-width lengths.
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  |  recordLength (int32)  bytes of this record after this field  |  0
 *  +---------------------------------------------------------------+
 *  |  offsetDelta (int32)   position in the batch: 0, 1, 2, ...    |  4
 *  +---------------------------------------------------------------+
 *  |  timestampDeltaMs (int32)  from the batch's firstTimestampMs  |  8
 *  +---------------------------------------------------------------+
 *  |  keyLength (int32)     -1: no key                             | 12
 *  +---------------------------------------------------------------+
 *  |  key bytes ...                                                |
 *  +---------------------------------------------------------------+
 *  |  valueLength (int32)   -1: null value (a tombstone)           |
 *  +---------------------------------------------------------------+
 *  |  value bytes ...                                              |
 *  +---------------------------------------------------------------+
 *  |  headerCount (int32)                                          |
 *  +---------------------------------------------------------------+
 *  |  headerCount x { nameLength int32, name (UTF-8),              |
 *  |                  valueLength int32 (-1: null), value }        |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Why fixed-width lengths and not Kafka's varints: decoding a field is one aligned-or-not
 * load with no branches, validation is plain arithmetic, and the flyweight can compute every
 * field offset from the lengths alone. The cost is about 10 bytes per record over varints,
 * which is under 1% of a 1 KiB record and about 8% of a 100-byte one.
 */
public final class RecordDescriptor
{
    public static final int RECORD_LENGTH_OFFSET = 0;
    public static final int OFFSET_DELTA_OFFSET = 4;
    public static final int TIMESTAMP_DELTA_OFFSET = 8;
    public static final int KEY_LENGTH_OFFSET = 12;
    public static final int KEY_OFFSET = 16;

    /** Bytes of the recordLength field itself, not counted in recordLength. */
    public static final int LENGTH_FIELD_SIZE = 4;
    /** offsetDelta, timestampDelta, keyLength, valueLength, headerCount: all after recordLength. */
    public static final int FIXED_BODY_LENGTH = 4 + 4 + 4 + 4 + 4;
    public static final int MIN_RECORD_LENGTH = LENGTH_FIELD_SIZE + FIXED_BODY_LENGTH;
    /** nameLength and valueLength of one header. */
    public static final int HEADER_FIXED_LENGTH = 4 + 4;

    public static final int NULL_LENGTH = -1;

    private RecordDescriptor()
    {
    }

    /** Bytes one record takes in a batch, its length field included. */
    public static int encodedLength(final int keyLength, final int valueLength, final int headersLength)
    {
        return MIN_RECORD_LENGTH + Math.max(keyLength, 0) + Math.max(valueLength, 0) + headersLength;
    }
}
