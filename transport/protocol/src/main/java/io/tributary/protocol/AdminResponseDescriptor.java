package io.tributary.protocol;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The answer to an {@link AdminRequestDescriptor}. Version 1, little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+---------------+---------------+
 *  |        version (int16)        | status (code) |     role      |  0   role: FetchResponseDescriptor's codes
 *  +-------------------------------+---------------+---------------+
 *  |                       textLength (int32)                      |  4
 *  +---------------------------------------------------------------+
 *  |                          term (int64)                         |  8   GROUP_INFO: the node's current term
 *  +---------------------------------------------------------------+
 *  |                       reserved (int64)                        | 16
 *  +---------------------------------------------------------------+
 *  |  text (UTF-8): the reply, the refusal, or the leader's id    ... 24
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class AdminResponseDescriptor
{
    public static final short VERSION = 1;
    public static final int VERSION_OFFSET = 0;
    public static final int STATUS_OFFSET = 2;
    public static final int ROLE_OFFSET = 3;
    public static final int TEXT_LENGTH_OFFSET = 4;
    public static final int TERM_OFFSET = 8;
    public static final int HEADER_LENGTH = 24;

    /** Done; the text is the answer. */
    public static final byte STATUS_OK = 0;
    /** The metadata quorum refused the command; the text says why (e.g. "unknown stream 'x'"). */
    public static final byte STATUS_REFUSED = 1;
    /** The metadata quorum, or the group, did not answer in time; retry. */
    public static final byte STATUS_UNAVAILABLE = 2;
    /** This node hosts no replica of the group. */
    public static final byte STATUS_NOT_HOSTED = 3;
    /** The request itself is malformed; the text says how. */
    public static final byte STATUS_INVALID = 4;
    /** The requester's principal holds no role that allows the request (security on); the text names the role. */
    public static final byte STATUS_NOT_AUTHORIZED = 5;

    private AdminResponseDescriptor()
    {
    }

    public static byte[] encode(final byte status, final byte role, final long term, final String text)
    {
        final byte[] bytes = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[HEADER_LENGTH + bytes.length]);
        out.putShort(VERSION_OFFSET, VERSION);
        out.putByte(STATUS_OFFSET, status);
        out.putByte(ROLE_OFFSET, role);
        out.putInt(TEXT_LENGTH_OFFSET, bytes.length);
        out.putLong(TERM_OFFSET, term);
        out.putBytes(HEADER_LENGTH, bytes);
        return out.byteArray();
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VERSION_OFFSET);
    }

    public static byte status(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + STATUS_OFFSET);
    }

    public static byte role(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + ROLE_OFFSET);
    }

    public static int textLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + TEXT_LENGTH_OFFSET);
    }

    public static long term(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + TERM_OFFSET);
    }

    public static String text(final DirectBuffer buffer, final int offset)
    {
        return buffer.getStringWithoutLengthUtf8(offset + HEADER_LENGTH, textLength(buffer, offset));
    }
}
