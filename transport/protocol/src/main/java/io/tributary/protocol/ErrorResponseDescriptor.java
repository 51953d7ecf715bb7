package io.tributary.protocol;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The answer to a request the node could not take at all (malformed, too large, an unknown type
 * or version, the node overloaded or stopping); nothing of it had any effect. Version 1.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |        version (int16)        |          code (int16)         |  0
 *  +-------------------------------+-------------------------------+
 *  |                       textLength (int32)                      |  4
 *  +---------------------------------------------------------------+
 *  |       text (UTF-8): what was wrong, where, what to do        ...  8
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class ErrorResponseDescriptor
{
    public static final short VERSION = 1;
    public static final int CODE_OFFSET = 2;
    public static final int TEXT_LENGTH_OFFSET = 4;
    public static final int HEADER_LENGTH = 8;

    public static final short MALFORMED = 1;
    public static final short TOO_LARGE = 2;
    public static final short UNSUPPORTED_VERSION = 3;
    public static final short UNKNOWN_TYPE = 4;
    public static final short BUSY = 5;
    public static final short UNAVAILABLE = 6;

    private ErrorResponseDescriptor()
    {
    }

    public static byte[] encode(final short code, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[HEADER_LENGTH + bytes.length]);
        out.putShort(0, VERSION);
        out.putShort(CODE_OFFSET, code);
        out.putInt(TEXT_LENGTH_OFFSET, bytes.length);
        out.putBytes(HEADER_LENGTH, bytes);
        return out.byteArray();
    }

    public static short code(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + CODE_OFFSET);
    }

    public static String text(final DirectBuffer buffer, final int offset, final int length)
    {
        final int textLength = Math.min(buffer.getInt(offset + TEXT_LENGTH_OFFSET),
            Math.max(0, length - HEADER_LENGTH));
        return textLength <= 0 ? "" : buffer.getStringWithoutLengthUtf8(offset + HEADER_LENGTH, textLength);
    }

    public static String codeName(final int code)
    {
        return switch (code)
        {
            case MALFORMED -> "MALFORMED";
            case TOO_LARGE -> "TOO_LARGE";
            case UNSUPPORTED_VERSION -> "UNSUPPORTED_VERSION";
            case UNKNOWN_TYPE -> "UNKNOWN_TYPE";
            case BUSY -> "BUSY";
            case UNAVAILABLE -> "UNAVAILABLE";
            default -> "code " + code;
        };
    }
}
