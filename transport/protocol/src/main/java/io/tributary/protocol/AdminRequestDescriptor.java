package io.tributary.protocol;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An administrative request to any node: a command or query for the metadata quorum (the node
 * forwards it, so a client needs no Raft of its own), or a question or order about one Raft group
 * the node hosts. Answered by an {@link AdminResponseDescriptor}. Little-endian. Version 1 ends with the text;
 * version 2 (sent when the caller has a trace context) adds the caller's W3C traceparent after it, so the node's
 * audit trail can name the trace of an admin operation.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |        version (int16)        |          kind (int16)         |  0
 *  +-------------------------------+-------------------------------+
 *  |                       textLength (int32)                      |  4
 *  +---------------------------------------------------------------+
 *  |              group id, most significant bits (int64)          |  8   GROUP_INFO, TRANSFER_LEADERSHIP
 *  +---------------------------------------------------------------+
 *  |              group id, least significant bits (int64)         | 16
 *  +---------------------------------------------------------------+
 *  |                       timeoutMs (int64)                       | 24
 *  +---------------------------------------------------------------+
 *  |            text (UTF-8): the command, or a node id           ... 32
 *  +-------------------------------+-------------------------------+
 *  |  traceparentLength (uint16)   |   traceparent (ASCII) ...        version 2 only
 *  +-------------------------------+-------------------------------+
 * </pre>
 */
public final class AdminRequestDescriptor
{
    public static final short VERSION = 1;
    /** Version 2: the text is followed by the traceparent's length (uint16) and the traceparent. */
    public static final short VERSION_TRACED = 2;
    /** A traceparent is 55 characters (W3C); room for later versions, nothing absurd. */
    public static final int TRACEPARENT_LENGTH_MAX = 256;
    public static final int VERSION_OFFSET = 0;
    public static final int KIND_OFFSET = 2;
    public static final int TEXT_LENGTH_OFFSET = 4;
    public static final int GROUP_MSB_OFFSET = 8;
    public static final int GROUP_LSB_OFFSET = 16;
    public static final int TIMEOUT_MS_OFFSET = 24;
    public static final int HEADER_LENGTH = 32;
    public static final int TEXT_LENGTH_MAX = 1 << 20;

    /** A replicated metadata command, tab-separated (e.g. {@code CREATE_STREAM\tname\t3\t3\t-1\t-1}). */
    public static final short KIND_METADATA_COMMAND = 1;
    /** A linearizable metadata query (e.g. {@code DESCRIBE\tname}). */
    public static final short KIND_METADATA_QUERY = 2;
    /** This node's role, term and leader in one group it hosts. */
    public static final short KIND_GROUP_INFO = 3;
    /** Move a group's leadership to the node named by the text (sent to the leader, or any member). */
    public static final short KIND_TRANSFER_LEADERSHIP = 4;

    private AdminRequestDescriptor()
    {
    }

    /** Encodes a whole request into a new array (admin requests are rare; allocation is fine). */
    public static byte[] encode(final short kind, final long groupMsb, final long groupLsb, final long timeoutMs,
        final String text)
    {
        return encode(kind, groupMsb, groupLsb, timeoutMs, text, null);
    }

    /** As {@link #encode(short, long, long, long, String)}, as version 2 with {@code traceparent} when it is given. */
    public static byte[] encode(final short kind, final long groupMsb, final long groupLsb, final long timeoutMs,
        final String text, final String traceparent)
    {
        final byte[] bytes = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
        final byte[] trace = traceparent == null ? null : traceparent.getBytes(StandardCharsets.US_ASCII);
        if (trace != null && trace.length > TRACEPARENT_LENGTH_MAX)
        {
            throw new IllegalArgumentException("traceparent of " + trace.length + " bytes: at most "
                + TRACEPARENT_LENGTH_MAX);
        }
        final int traceBytes = trace == null ? 0 : 2 + trace.length;
        final UnsafeBuffer out = new UnsafeBuffer(new byte[HEADER_LENGTH + bytes.length + traceBytes]);
        if (trace != null)
        {
            out.putShort(HEADER_LENGTH + bytes.length, (short)trace.length);
            out.putBytes(HEADER_LENGTH + bytes.length + 2, trace);
        }
        out.putShort(VERSION_OFFSET, trace == null ? VERSION : VERSION_TRACED);
        out.putShort(KIND_OFFSET, kind);
        out.putInt(TEXT_LENGTH_OFFSET, bytes.length);
        out.putLong(GROUP_MSB_OFFSET, groupMsb);
        out.putLong(GROUP_LSB_OFFSET, groupLsb);
        out.putLong(TIMEOUT_MS_OFFSET, timeoutMs);
        out.putBytes(HEADER_LENGTH, bytes);
        return out.byteArray();
    }

    public static void writeHeader(final MutableDirectBuffer buffer, final int offset, final short kind,
        final int textLength,
        final long groupMsb, final long groupLsb, final long timeoutMs)
    {
        buffer.putShort(offset + VERSION_OFFSET, VERSION);
        buffer.putShort(offset + KIND_OFFSET, kind);
        buffer.putInt(offset + TEXT_LENGTH_OFFSET, textLength);
        buffer.putLong(offset + GROUP_MSB_OFFSET, groupMsb);
        buffer.putLong(offset + GROUP_LSB_OFFSET, groupLsb);
        buffer.putLong(offset + TIMEOUT_MS_OFFSET, timeoutMs);
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VERSION_OFFSET);
    }

    public static short kind(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + KIND_OFFSET);
    }

    public static int textLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + TEXT_LENGTH_OFFSET);
    }

    public static long groupMsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + GROUP_MSB_OFFSET);
    }

    public static long groupLsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + GROUP_LSB_OFFSET);
    }

    public static long timeoutMs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + TIMEOUT_MS_OFFSET);
    }

    public static String text(final DirectBuffer buffer, final int offset)
    {
        return buffer.getStringWithoutLengthUtf8(offset + HEADER_LENGTH, textLength(buffer, offset));
    }

    /**
     * Null when a request of {@code length} bytes at {@code offset} is one this version reads (its version known, its
     * lengths adding up to {@code length}), else what is wrong with it.
     */
    public static String malformed(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return "admin request of " + length + " bytes is shorter than its " + HEADER_LENGTH + "-byte header";
        }
        final int version = version(buffer, offset);
        final int textLength = textLength(buffer, offset);
        if (version != VERSION && version != VERSION_TRACED)
        {
            return "admin request version " + version + " is not supported (this node reads " + VERSION + " and "
                + VERSION_TRACED + ")";
        }
        final int rest = length - HEADER_LENGTH;
        if (textLength < 0 || textLength > rest)
        {
            return "admin request of " + length + " bytes does not hold its header and the text length it declares ("
                + textLength + ")";
        }
        if (version == VERSION)
        {
            return textLength == rest ? null : "admin request of " + length + " bytes has " + (rest - textLength)
                + " bytes after its text";
        }
        if (rest - textLength < 2)
        {
            return "admin request version 2 of " + length + " bytes ends before its traceparent length";
        }
        final int traceLength = buffer.getShort(offset + HEADER_LENGTH + textLength) & 0xFFFF;
        if (traceLength > TRACEPARENT_LENGTH_MAX || textLength + 2 + traceLength != rest)
        {
            return "admin request version 2 of " + length + " bytes declares a traceparent of " + traceLength
                + " bytes where " + (rest - textLength - 2) + " remain (at most " + TRACEPARENT_LENGTH_MAX + ")";
        }
        return null;
    }

    /** The caller's traceparent (version 2), or null; for a request {@link #malformed} passed. */
    public static String traceparent(final DirectBuffer buffer, final int offset)
    {
        if (version(buffer, offset) != VERSION_TRACED)
        {
            return null;
        }
        final int at = offset + HEADER_LENGTH + textLength(buffer, offset);
        final int traceLength = buffer.getShort(at) & 0xFFFF;
        return buffer.getStringWithoutLengthAscii(at + 2, traceLength);
    }
}
