package io.tributary.format;

import static io.tributary.format.RecordBatchDescriptor.*;


import org.agrona.DirectBuffer;

/**
 * A view of one record batch in a buffer: header accessors and a record cursor with one
 * reusable {@link RecordFlyweight}, so iterating allocates nothing. Assumes the batch was
 * validated ({@link BatchValidator}) or read from a {@link ShardLog}, which verifies it.
 * Not thread-safe.
 */
public final class RecordBatchFlyweight
{
    private final RecordFlyweight record = new RecordFlyweight();
    private DirectBuffer buffer;
    private int offset;
    private int nextRecordOffset;
    private int recordsRemaining;

    public RecordBatchFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        rewind();
        return this;
    }

    /** Moves the record cursor back before the first record. */
    public void rewind()
    {
        nextRecordOffset = offset + RECORDS_OFFSET;
        recordsRemaining = recordCount();
    }

    /** Positions {@link #record()} on the next record; false after the last one. */
    public boolean nextRecord()
    {
        if (recordsRemaining <= 0)
        {
            return false;
        }
        record.wrap(buffer, nextRecordOffset, baseOffset(), firstTimestampMs());
        nextRecordOffset += record.encodedLength();
        recordsRemaining--;
        return true;
    }

    public RecordFlyweight record()
    {
        return record;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public int batchLength()
    {
        return buffer.getInt(offset + BATCH_LENGTH_OFFSET);
    }

    public short magic()
    {
        return buffer.getShort(offset + MAGIC_OFFSET);
    }

    public byte version()
    {
        return buffer.getByte(offset + VERSION_OFFSET);
    }

    public long baseOffset()
    {
        return buffer.getLong(offset + BASE_OFFSET_OFFSET);
    }

    public long lastOffset()
    {
        return RecordBatchDescriptor.lastOffset(baseOffset(), recordCount());
    }

    public long raftIndex()
    {
        return buffer.getLong(offset + RAFT_INDEX_OFFSET);
    }

    public int headerCrc()
    {
        return buffer.getInt(offset + HEADER_CRC_OFFSET);
    }

    public int crc()
    {
        return buffer.getInt(offset + CRC_OFFSET);
    }

    public long producerId()
    {
        return buffer.getLong(offset + PRODUCER_ID_OFFSET);
    }

    public int baseSequence()
    {
        return buffer.getInt(offset + BASE_SEQUENCE_OFFSET);
    }

    /** Sequence of the last record: base + count - 1. */
    public int lastSequence()
    {
        return baseSequence() + recordCount() - 1;
    }

    public short producerEpoch()
    {
        return buffer.getShort(offset + PRODUCER_EPOCH_OFFSET);
    }

    public short attributes()
    {
        return buffer.getShort(offset + ATTRIBUTES_OFFSET);
    }

    public int recordCount()
    {
        return buffer.getInt(offset + RECORD_COUNT_OFFSET);
    }

    public long firstTimestampMs()
    {
        return buffer.getLong(offset + FIRST_TIMESTAMP_OFFSET);
    }

    public long lastTimestampMs()
    {
        return buffer.getLong(offset + LAST_TIMESTAMP_OFFSET);
    }
}
