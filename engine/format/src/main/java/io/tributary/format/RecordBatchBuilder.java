package io.tributary.format;

import static io.tributary.format.RecordBatchDescriptor.*;


import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Fills a reusable buffer with one record batch until it is full, then seals it (both CRCs).
 * The producer's side of {@link io.tributary.format.RecordBatchDescriptor}.
 *
 * <p>Use: {@link #reset}, then {@link #tryAppend} until it returns false (the batch is full:
 * {@link #build} it, send it, reset, and append the record again), then {@link #build}.
 * Allocates nothing per record. Not thread-safe. The buffer is owned by the builder between
 * {@code reset} and {@code build}; after {@code build} bytes [0, length) are the batch.
 */
public final class RecordBatchBuilder
{
    private final MutableDirectBuffer buffer;
    private final int capacity;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[0]);

    private long producerId = NO_PRODUCER_ID;
    private short producerEpoch = NO_EPOCH;
    private int baseSequence = NO_SEQUENCE;
    private int position = HEADER_LENGTH;
    private int recordCount;
    private long firstTimestampMs;
    private long lastTimestampMs;

    public RecordBatchBuilder(final MutableDirectBuffer buffer)
    {
        if (buffer.capacity() < HEADER_LENGTH + RecordDescriptor.MIN_RECORD_LENGTH)
        {
            throw new IllegalArgumentException("batch buffer of " + buffer.capacity()
                + " bytes cannot hold one record; it needs at least "
                    + (HEADER_LENGTH + RecordDescriptor.MIN_RECORD_LENGTH));
        }
        this.buffer = buffer;
        this.capacity = buffer.capacity();
    }

    /** Starts a new, non-idempotent batch. */
    public RecordBatchBuilder reset()
    {
        return reset(NO_PRODUCER_ID, NO_EPOCH, NO_SEQUENCE);
    }

    /** Starts a new batch whose first record has sequence {@code baseSequence} for this producer. */
    public RecordBatchBuilder reset(final long producerId, final short producerEpoch, final int baseSequence)
    {
        if (producerId != NO_PRODUCER_ID && (producerId < 0 || producerEpoch < 0 || baseSequence < 0))
        {
            throw new
                IllegalArgumentException("idempotent batch needs producerId >= 0, epoch >= 0, baseSequence >= 0; got "
                + producerId + ", " + producerEpoch + ", " + baseSequence);
        }
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        this.position = HEADER_LENGTH;
        this.recordCount = 0;
        return this;
    }

    public boolean tryAppend(final long timestampMs, final byte[] key, final byte[] value)
    {
        return tryAppend(timestampMs, key, value, null);
    }

    public boolean tryAppend(final long timestampMs, final byte[] key, final byte[] value, final RecordHeaders headers)
    {
        final DirectBuffer keyBuffer = key == null ? null : wrapScratch(key);
        final int keyLength = key == null ? RecordDescriptor.NULL_LENGTH : key.length;
        final int valueLength = value == null ? RecordDescriptor.NULL_LENGTH : value.length;
        if (!fits(timestampMs, keyLength, valueLength, headers))
        {
            return false;
        }
        final int keyEnd = writeRecordStart(timestampMs, keyBuffer, 0, keyLength, valueLength, headers);
        if (value != null)
        {
            buffer.putBytes(keyEnd + 4, value);
        }
        finishRecord(keyEnd + 4 + Math.max(valueLength, 0), headers);
        return true;
    }

    /**
     * Appends one record. A null key buffer means no key; a null value buffer a null value.
     * Returns false, changing nothing, when the record does not fit the remaining space.
     *
     * @throws IllegalArgumentException if the record could never fit an empty batch of this capacity.
     */
    public boolean tryAppend(
        final long timestampMs,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength,
        final RecordHeaders headers)
    {
        final int keyLen = key == null ? RecordDescriptor.NULL_LENGTH : keyLength;
        final int valueLen = value == null ? RecordDescriptor.NULL_LENGTH : valueLength;
        if (!fits(timestampMs, keyLen, valueLen, headers))
        {
            return false;
        }
        final int keyEnd = writeRecordStart(timestampMs, key, keyOffset, keyLen, valueLen, headers);
        if (value != null)
        {
            buffer.putBytes(keyEnd + 4, value, valueOffset, valueLength);
        }
        finishRecord(keyEnd + 4 + Math.max(valueLen, 0), headers);
        return true;
    }

    private boolean fits(final long timestampMs, final int keyLength, final int valueLength,
        final RecordHeaders headers)
    {
        final int headersLength = headers == null ? 0 : headers.encodedLength();
        final long recordLength = (long)RecordDescriptor.MIN_RECORD_LENGTH + Math.max(keyLength, 0)
            + Math.max(valueLength, 0) + headersLength;
        if (recordLength > capacity - HEADER_LENGTH)
        {
            throw new IllegalArgumentException("record of " + recordLength + " bytes (key " + keyLength + ", value "
                + valueLength + ", headers " + headersLength + ") can never fit a batch buffer of " + capacity
                + " bytes; use a larger buffer or a smaller record");
        }
        if (position + recordLength > capacity)
        {
            return false;
        }
        if (recordCount > 0)
        {
            final long deltaMs = timestampMs - firstTimestampMs;
            return deltaMs >= Integer.MIN_VALUE && deltaMs <= Integer.MAX_VALUE;
        }
        return true;
    }

    /** Writes fixed fields and the key; returns the position of the valueLength field. */
    private int writeRecordStart(
        final long timestampMs, final DirectBuffer key, final int keyOffset, final int keyLength,
        final int valueLength, final RecordHeaders headers)
    {
        if (recordCount == 0)
        {
            firstTimestampMs = timestampMs;
            lastTimestampMs = timestampMs;
        }
        lastTimestampMs = Math.max(lastTimestampMs, timestampMs);
        final int start = position;
        buffer.putInt(start + RecordDescriptor.OFFSET_DELTA_OFFSET, recordCount);
        buffer.putInt(start + RecordDescriptor.TIMESTAMP_DELTA_OFFSET, (int)(timestampMs - firstTimestampMs));
        buffer.putInt(start + RecordDescriptor.KEY_LENGTH_OFFSET, keyLength);
        if (keyLength > 0)
        {
            buffer.putBytes(start + RecordDescriptor.KEY_OFFSET, key, keyOffset, keyLength);
        }
        final int valueLengthAt = start + RecordDescriptor.KEY_OFFSET + Math.max(keyLength, 0);
        buffer.putInt(valueLengthAt, valueLength);
        return valueLengthAt;
    }

    private void finishRecord(final int headerCountAt, final RecordHeaders headers)
    {
        buffer.putInt(headerCountAt, headers == null ? 0 : headers.count());
        final int end = headers == null ? headerCountAt + 4 : headers.encode(buffer, headerCountAt + 4);
        buffer.putInt(position + RecordDescriptor.RECORD_LENGTH_OFFSET,
            end - position - RecordDescriptor.LENGTH_FIELD_SIZE);
        position = end;
        recordCount++;
    }

    private DirectBuffer wrapScratch(final byte[] bytes)
    {
        scratch.wrap(bytes);
        return scratch;
    }

    public int recordCount()
    {
        return recordCount;
    }

    public boolean isEmpty()
    {
        return recordCount == 0;
    }

    /** Bytes the batch would take if built now. */
    public int sizeInBytes()
    {
        return position;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Seals the batch: writes the header and both checksums. Returns the batch length; the
     * batch is bytes [0, length) of the buffer. Base offset and raft index are left 0: the
     * engine assigns them.
     */
    public int build()
    {
        if (recordCount == 0)
        {
            throw new IllegalStateException("cannot build an empty batch: append at least one record first");
        }
        buffer.putInt(BATCH_LENGTH_OFFSET, position);
        buffer.putShort(MAGIC_OFFSET, MAGIC);
        buffer.putByte(VERSION_OFFSET, CURRENT_VERSION);
        buffer.putByte(HEADER_RESERVED_OFFSET, (byte)0);
        buffer.putLong(BASE_OFFSET_OFFSET, 0L);
        buffer.putLong(RAFT_INDEX_OFFSET, 0L);
        buffer.putLong(PRODUCER_ID_OFFSET, producerId);
        buffer.putInt(BASE_SEQUENCE_OFFSET, baseSequence);
        buffer.putShort(PRODUCER_EPOCH_OFFSET, producerEpoch);
        buffer.putShort(ATTRIBUTES_OFFSET, (short)CODEC_NONE);
        buffer.putInt(RECORD_COUNT_OFFSET, recordCount);
        buffer.putInt(BODY_RESERVED_OFFSET, 0);
        buffer.putLong(FIRST_TIMESTAMP_OFFSET, firstTimestampMs);
        buffer.putLong(LAST_TIMESTAMP_OFFSET, lastTimestampMs);
        buffer.putInt(CRC_OFFSET, Checksums.crc32c(buffer, CRC_COVERED_START, position - CRC_COVERED_START));
        buffer.putInt(HEADER_CRC_OFFSET, Checksums.crc32c(buffer, 0, HEADER_CRC_COVERED_LENGTH));
        return position;
    }
}
