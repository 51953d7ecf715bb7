package io.tributary.format;

import static io.tributary.format.RecordDescriptor.*;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;

/**
 * A view of one record inside a batch: every accessor reads the underlying buffer, nothing is
 * copied. Positioned by {@link RecordBatchFlyweight#nextRecord()}; valid until the batch
 * flyweight moves on. Assumes a validated batch. Not thread-safe.
 */
public final class RecordFlyweight
{
    private DirectBuffer buffer;
    private int offset;
    private long baseOffset;
    private long firstTimestampMs;
    private int headerCursor;
    private int headersRemaining;
    private int headerNameOffset;
    private int headerNameLength;
    private int headerValueOffset;
    private int headerValueLength;

    void wrap(final DirectBuffer buffer, final int offset, final long baseOffset, final long firstTimestampMs)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.baseOffset = baseOffset;
        this.firstTimestampMs = firstTimestampMs;
        this.headersRemaining = -1;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    /** Bytes this record takes in the batch, its length field included. */
    public int encodedLength()
    {
        return LENGTH_FIELD_SIZE + buffer.getInt(offset + RECORD_LENGTH_OFFSET);
    }

    public int offsetDelta()
    {
        return buffer.getInt(offset + OFFSET_DELTA_OFFSET);
    }

    /** The record's offset in its shard (meaningful once the engine has assigned the base offset). */
    public long offset()
    {
        return baseOffset + offsetDelta();
    }

    public long timestampMs()
    {
        return firstTimestampMs + buffer.getInt(offset + TIMESTAMP_DELTA_OFFSET);
    }

    /** -1 when the record has no key. */
    public int keyLength()
    {
        return buffer.getInt(offset + KEY_LENGTH_OFFSET);
    }

    public int keyOffset()
    {
        return offset + KEY_OFFSET;
    }

    private int valueLengthAt()
    {
        return keyOffset() + Math.max(keyLength(), 0);
    }

    /** -1 when the value is null. */
    public int valueLength()
    {
        return buffer.getInt(valueLengthAt());
    }

    public int valueOffset()
    {
        return valueLengthAt() + 4;
    }

    private int headerCountAt()
    {
        return valueOffset() + Math.max(valueLength(), 0);
    }

    public int headerCount()
    {
        return buffer.getInt(headerCountAt());
    }

    /** Moves to the next header; false when there are no more. */
    public boolean nextHeader()
    {
        if (headersRemaining < 0)
        {
            final int countAt = headerCountAt();
            headersRemaining = buffer.getInt(countAt);
            headerCursor = countAt + 4;
        }
        if (headersRemaining == 0)
        {
            return false;
        }
        headerNameLength = buffer.getInt(headerCursor);
        headerNameOffset = headerCursor + 4;
        final int valueLengthAt = headerNameOffset + headerNameLength;
        headerValueLength = buffer.getInt(valueLengthAt);
        headerValueOffset = valueLengthAt + 4;
        headerCursor = headerValueOffset + Math.max(headerValueLength, 0);
        headersRemaining--;
        return true;
    }

    public int headerNameOffset()
    {
        return headerNameOffset;
    }

    public int headerNameLength()
    {
        return headerNameLength;
    }

    public int headerValueOffset()
    {
        return headerValueOffset;
    }

    /** -1 when the header's value is null. */
    public int headerValueLength()
    {
        return headerValueLength;
    }

    // Convenience copies for tests and tools; they allocate, so not for hot paths.

    public byte[] keyBytes()
    {
        return copy(keyOffset(), keyLength());
    }

    public byte[] valueBytes()
    {
        return copy(valueOffset(), valueLength());
    }

    public String headerName()
    {
        return buffer.getStringWithoutLengthUtf8(headerNameOffset, headerNameLength);
    }

    public byte[] headerValueBytes()
    {
        return copy(headerValueOffset, headerValueLength);
    }

    public String valueAsString()
    {
        final byte[] value = valueBytes();
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private byte[] copy(final int at, final int length)
    {
        if (length < 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(at, bytes);
        return bytes;
    }
}
