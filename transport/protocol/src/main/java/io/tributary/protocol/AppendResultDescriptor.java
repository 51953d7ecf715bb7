package io.tributary.protocol;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.tributary.format.AppendStatus;

/**
 * The answer to one append item: an item of a produce response and, byte for byte, an item of
 * the reply a shard's state machine gives for a Raft entry (so the leader copies it through).
 * Version 1, little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  | status (code) |   reserved    |     messageLength (uint16)    |  0   status: AppendStatus.code()
 *  +---------------+---------------+-------------------------------+
 *  |                       reserved (int32)                        |  4
 *  +---------------------------------------------------------------+
 *  |                       baseOffset (int64)                      |  8   stored (or original) offsets
 *  +---------------------------------------------------------------+
 *  |                       lastOffset (int64)                      | 16
 *  +---------------------------------------------------------------+
 *  |                       expected (int64)                        | 24   for refusals: what the shard expected
 *  +---------------------------------------------------------------+
 *  |                       found (int64)                           | 32   ... and what it found
 *  +---------------------------------------------------------------+
 *  |                  message (UTF-8, messageLength)              ...  40
 *  +---------------------------------------------------------------+
 * </pre>
 * (64-bit fields are shown one row each.) The message is empty for success; for errors it says what and where.
 */
public final class AppendResultDescriptor
{
    public static final int STATUS_OFFSET = 0;
    public static final int MESSAGE_LENGTH_OFFSET = 2;
    public static final int BASE_OFFSET_OFFSET = 8;
    public static final int LAST_OFFSET_OFFSET = 16;
    public static final int EXPECTED_OFFSET = 24;
    public static final int FOUND_OFFSET = 32;
    public static final int HEADER_LENGTH = 40;
    /** Longer messages are cut: a result stays small whatever the error. */
    public static final int MESSAGE_LENGTH_MAX = 4096;
    public static final long NONE = Long.MIN_VALUE;

    private AppendResultDescriptor()
    {
    }

    /** Bytes a result with this message takes once encoded (the message cut to its limit). */
    public static int encodedLength(final String message)
    {
        return HEADER_LENGTH + (message == null ? 0 : Math.min(MESSAGE_LENGTH_MAX, utf8Length(message)));
    }

    /** Writes a result at {@code offset}; returns its length. */
    public static int write(final MutableDirectBuffer buffer, final int offset, final AppendStatus status,
        final long baseOffset,
        final long lastOffset, final long expected, final long found, final String message)
    {
        return write(buffer, offset, status.code(), baseOffset, lastOffset, expected, found, message);
    }

    /** Writes a result with a raw status code (passed through as received); returns its length. */
    public static int write(final MutableDirectBuffer buffer, final int offset, final byte statusCode,
        final long baseOffset,
        final long lastOffset, final long expected, final long found, final String message)
    {
        int messageLength = 0;
        if (message != null && !message.isEmpty())
        {
            final byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            messageLength = Math.min(MESSAGE_LENGTH_MAX, bytes.length);
            buffer.putBytes(offset + HEADER_LENGTH, bytes, 0, messageLength);
        }
        buffer.putByte(offset + STATUS_OFFSET, statusCode);
        buffer.putByte(offset + STATUS_OFFSET + 1, (byte)0);
        buffer.putShort(offset + MESSAGE_LENGTH_OFFSET, (short)messageLength);
        buffer.putInt(offset + 4, 0);
        buffer.putLong(offset + BASE_OFFSET_OFFSET, baseOffset);
        buffer.putLong(offset + LAST_OFFSET_OFFSET, lastOffset);
        buffer.putLong(offset + EXPECTED_OFFSET, expected);
        buffer.putLong(offset + FOUND_OFFSET, found);
        return HEADER_LENGTH + messageLength;
    }

    /** Length of the result at {@code offset}, header included. */
    public static int length(final DirectBuffer buffer, final int offset)
    {
        return HEADER_LENGTH + messageLength(buffer, offset);
    }

    /** @return the status, or null for a code this version does not know. */
    public static AppendStatus status(final DirectBuffer buffer, final int offset)
    {
        return AppendStatus.fromCode(buffer.getByte(offset + STATUS_OFFSET) & 0xFF);
    }

    public static int statusCode(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + STATUS_OFFSET) & 0xFF;
    }

    public static int messageLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + MESSAGE_LENGTH_OFFSET) & 0xFFFF;
    }

    public static long baseOffset(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + BASE_OFFSET_OFFSET);
    }

    public static long lastOffset(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + LAST_OFFSET_OFFSET);
    }

    public static long expected(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + EXPECTED_OFFSET);
    }

    public static long found(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + FOUND_OFFSET);
    }

    /** The message, or null when empty; allocates (errors only). */
    public static String message(final DirectBuffer buffer, final int offset)
    {
        final int length = messageLength(buffer, offset);
        return length == 0 ? null : buffer.getStringWithoutLengthUtf8(offset + HEADER_LENGTH, length);
    }

    private static int utf8Length(final String text)
    {
        int length = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            length += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return length;
    }
}
