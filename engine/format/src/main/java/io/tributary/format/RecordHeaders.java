package io.tributary.format;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;


import org.agrona.MutableDirectBuffer;

/**
 * A reusable list of record headers (name, value) for {@link RecordBatchBuilder}. Clear and
 * refill it per record; it keeps its arrays. Not thread-safe.
 */
public final class RecordHeaders
{
    private byte[][] names = new byte[4][];
    private byte[][] values = new byte[4][];
    private int count;

    public RecordHeaders clear()
    {
        Arrays.fill(names, 0, count, null);
        Arrays.fill(values, 0, count, null);
        count = 0;
        return this;
    }

    /** Adds a header; {@code value} may be null. The arrays are referenced, not copied. */
    public RecordHeaders add(final String name, final byte[] value)
    {
        return add(name.getBytes(StandardCharsets.UTF_8), value);
    }

    public RecordHeaders add(final byte[] name, final byte[] value)
    {
        if (name == null)
        {
            throw new IllegalArgumentException("a header name must not be null");
        }
        if (count == names.length)
        {
            names = Arrays.copyOf(names, count * 2);
            values = Arrays.copyOf(values, count * 2);
        }
        names[count] = name;
        values[count] = value;
        count++;
        return this;
    }

    public int count()
    {
        return count;
    }

    /** Bytes these headers take in a record, the headerCount field excluded. */
    public int encodedLength()
    {
        int length = 0;
        for (int i = 0; i < count; i++)
        {
            length += RecordDescriptor.HEADER_FIXED_LENGTH + names[i].length
                + (values[i] == null ? 0 : values[i].length);
        }
        return length;
    }

    /** Writes the headers (without the count) at {@code offset}; returns the offset after them. */
    int encode(final MutableDirectBuffer buffer, final int offset)
    {
        int position = offset;
        for (int i = 0; i < count; i++)
        {
            final byte[] name = names[i];
            buffer.putInt(position, name.length);
            buffer.putBytes(position + 4, name);
            position += 4 + name.length;
            final byte[] value = values[i];
            if (value == null)
            {
                buffer.putInt(position, RecordDescriptor.NULL_LENGTH);
                position += 4;
            }
            else
            {
                buffer.putInt(position, value.length);
                buffer.putBytes(position + 4, value);
                position += 4 + value.length;
            }
        }
        return position;
    }
}
