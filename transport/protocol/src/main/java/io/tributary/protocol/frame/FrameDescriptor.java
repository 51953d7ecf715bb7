package io.tributary.protocol.frame;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Layout of one transport frame: the unit handed to Aeron in one offer or claim. A message (one
 * Ratis request or reply) travels as one frame, or as several fragments when it is larger than
 * the frame limit (Aeron's max message length, term length / 8).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-+-+-----------+---------------+
 *  |    Version    | Message Type  |B|E|  unused   |   Reserved    |  0
 *  +---------------+---------------+-+-+-----------+---------------+
 *  |                 Payload Length (this fragment)                |  4
 *  +---------------------------------------------------------------+
 *  |                        Correlation Id                         |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Group Id: UUID most significant bits             | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              Group Id: UUID least significant bits            | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Message Length (all fragments)                | 32
 *  +---------------------------------------------------------------+
 *  |            Fragment Offset (in the whole message)             | 36
 *  +---------------------------------------------------------------+
 *  |                     Payload (a protobuf)                     ...  40
 *  +---------------------------------------------------------------+
 * </pre>
 * Little-endian. B = first fragment (offset 0), E = last fragment (offset + payload length =
 * message length); a message in one frame has both. The fragment fields are always present
 * (8 bytes) so every frame validates the same way. The group id routes a frame to a Raft group
 * without parsing the payload; the correlation id pairs a reply with its request.
 * Version 1; a receiver drops frames of any other version.
 */
public final class FrameDescriptor
{
    public static final byte VERSION = 1;

    public static final int VERSION_OFFSET = 0;
    public static final int TYPE_OFFSET = 1;
    public static final int FLAGS_OFFSET = 2;
    public static final int RESERVED_OFFSET = 3;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int CORRELATION_ID_OFFSET = 8;
    public static final int GROUP_ID_MSB_OFFSET = 16;
    public static final int GROUP_ID_LSB_OFFSET = 24;
    public static final int MESSAGE_LENGTH_OFFSET = 32;
    public static final int FRAGMENT_OFFSET_OFFSET = 36;
    public static final int HEADER_LENGTH = 40;

    /** First fragment of a message. */
    public static final byte BEGIN_FLAG = (byte)0x80;
    /** Last fragment of a message. */
    public static final byte END_FLAG = 0x40;
    /** A whole message in one frame. */
    public static final byte UNFRAGMENTED = (byte)(BEGIN_FLAG | END_FLAG);
    /** Bits a valid frame may set; others are reserved and must be 0. */
    public static final int FLAGS_MASK = 0xC0;

    /** Hard ceiling of a message length whatever the configuration (256 MiB). */
    public static final int MESSAGE_LENGTH_MAX = 256 * 1024 * 1024;

    private FrameDescriptor()
    {
    }

    /** Writes a whole header at {@code offset}. */
    public static void writeHeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final MessageType type,
        final byte flags,
        final int payloadLength,
        final long correlationId,
        final long groupIdMsb,
        final long groupIdLsb,
        final int messageLength,
        final int fragmentOffset)
    {
        buffer.putByte(offset + VERSION_OFFSET, VERSION);
        buffer.putByte(offset + TYPE_OFFSET, type.id());
        buffer.putByte(offset + FLAGS_OFFSET, flags);
        buffer.putByte(offset + RESERVED_OFFSET, (byte)0);
        buffer.putInt(offset + PAYLOAD_LENGTH_OFFSET, payloadLength, LITTLE_ENDIAN);
        buffer.putLong(offset + CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
        buffer.putLong(offset + GROUP_ID_MSB_OFFSET, groupIdMsb, LITTLE_ENDIAN);
        buffer.putLong(offset + GROUP_ID_LSB_OFFSET, groupIdLsb, LITTLE_ENDIAN);
        buffer.putInt(offset + MESSAGE_LENGTH_OFFSET, messageLength, LITTLE_ENDIAN);
        buffer.putInt(offset + FRAGMENT_OFFSET_OFFSET, fragmentOffset, LITTLE_ENDIAN);
    }

    /** Rewrites the fields that change from one fragment to the next. */
    public static void writeFragment(
        final MutableDirectBuffer buffer, final int offset, final byte flags, final int payloadLength,
            final int fragmentOffset)
    {
        buffer.putByte(offset + FLAGS_OFFSET, flags);
        buffer.putInt(offset + PAYLOAD_LENGTH_OFFSET, payloadLength, LITTLE_ENDIAN);
        buffer.putInt(offset + FRAGMENT_OFFSET_OFFSET, fragmentOffset, LITTLE_ENDIAN);
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + VERSION_OFFSET) & 0xFF;
    }

    public static int typeId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    public static int reserved(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + RESERVED_OFFSET) & 0xFF;
    }

    public static int payloadLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    public static long correlationId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CORRELATION_ID_OFFSET, LITTLE_ENDIAN);
    }

    public static long groupIdMsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + GROUP_ID_MSB_OFFSET, LITTLE_ENDIAN);
    }

    public static long groupIdLsb(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + GROUP_ID_LSB_OFFSET, LITTLE_ENDIAN);
    }

    public static int messageLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + MESSAGE_LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    public static int fragmentOffset(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + FRAGMENT_OFFSET_OFFSET, LITTLE_ENDIAN);
    }

    public static boolean isBegin(final int flags)
    {
        return (flags & (BEGIN_FLAG & 0xFF)) != 0;
    }

    public static boolean isEnd(final int flags)
    {
        return (flags & END_FLAG) != 0;
    }

    /**
     * Checks one received frame, header against its own fields and the frame's length. Never
     * throws and never reads outside {@code [offset, offset + length)}.
     *
     * @param messageLengthMax largest message length accepted (configuration).
     * @return {@link FrameError#NONE} for a valid frame, otherwise the first problem found.
     */
    public static FrameError validate(final DirectBuffer buffer, final int offset, final int length,
        final int messageLengthMax)
    {
        if (length < HEADER_LENGTH)
        {
            return FrameError.TRUNCATED;
        }
        if (version(buffer, offset) != VERSION)
        {
            return FrameError.BAD_VERSION;
        }
        if (MessageType.get(typeId(buffer, offset)) == null)
        {
            return FrameError.UNKNOWN_TYPE;
        }
        final int flags = flags(buffer, offset);
        if ((flags & ~FLAGS_MASK) != 0 || reserved(buffer, offset) != 0)
        {
            return FrameError.BAD_FLAGS;
        }
        final int payloadLength = payloadLength(buffer, offset);
        if (payloadLength != length - HEADER_LENGTH)
        {
            return FrameError.LENGTH_MISMATCH;
        }
        final int messageLength = messageLength(buffer, offset);
        if (messageLength < 0 || messageLength > messageLengthMax)
        {
            return FrameError.MESSAGE_TOO_LARGE;
        }
        return validateFragment(flags, payloadLength, messageLength, fragmentOffset(buffer, offset));
    }

    private static FrameError validateFragment(final int flags, final int payloadLength, final int messageLength,
        final int fragmentOffset)
    {
        if (fragmentOffset < 0 || fragmentOffset > messageLength || payloadLength > messageLength - fragmentOffset)
        {
            return FrameError.BAD_FRAGMENT;
        }
        if (isBegin(flags) != (fragmentOffset == 0))
        {
            return FrameError.BAD_FRAGMENT;
        }
        if (isEnd(flags) != (fragmentOffset + payloadLength == messageLength))
        {
            return FrameError.BAD_FRAGMENT;
        }
        if (!isEnd(flags) && payloadLength == 0)
        {
            // An empty fragment that is not the last would let a sender hold a slot without progress.
            return FrameError.BAD_FRAGMENT;
        }
        return FrameError.NONE;
    }
}
