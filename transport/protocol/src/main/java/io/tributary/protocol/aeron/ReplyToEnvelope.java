package io.tributary.protocol.aeron;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.tributary.protocol.frame.FrameError;
import io.tributary.protocol.frame.FrameErrors;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.PayloadEncoder;
import io.tributary.protocol.tls.TlsSession;

/**
 * The envelope of a request: the address its response goes to, in front of the message (Aeron publications are
 * one-way, and a restarted peer sees a new image without any handshake, so every request says where to answer):
 * <pre>
 *  +-------------------------------+-------------------------+-------------+
 *  | Reply-To Length (u16, LE)     | Reply-To (ASCII h:port) | message ... |
 *  +-------------------------------+-------------------------+-------------+
 * </pre>
 * As an encoder, one per endpoint and kind of message: it writes the endpoint's own address, then the message by the
 * message's encoder. For a received request, {@link #replyToLength} checks the envelope and records a bad one.
 *
 * @param <M> the message class.
 */
public final class ReplyToEnvelope<M> implements PayloadEncoder<M>
{
    public static final int REPLY_TO_LENGTH_MAX = 255;

    private final byte[] replyTo;
    private final PayloadEncoder<M> body;

    /**
     * @param replyTo the address responses go to, ASCII.
     * @param body    writes the message after the address (for messages of class {@code M}: codecs are looked up
     *                by message type, so the caller vouches for the class).
     */
    @SuppressWarnings("unchecked")
    public ReplyToEnvelope(final byte[] replyTo, final PayloadEncoder<?> body)
    {
        this.replyTo = replyTo;
        this.body = (PayloadEncoder<M>)body;
    }

    @Override
    public int encodedLength(final M message)
    {
        return 2 + replyTo.length + body.encodedLength(message);
    }

    @Override
    public void encode(final M message, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        buffer.putShort(offset, (short)replyTo.length, LITTLE_ENDIAN);
        buffer.putBytes(offset + 2, replyTo);
        body.encode(message, buffer, offset + 2 + replyTo.length, length - 2 - replyTo.length);
    }

    /**
     * The reply-to length of a clear request of {@code length} bytes at {@code offset}; -1, recorded in
     * {@code errors}, when it has none or one that does not fit. The message follows the reply-to.
     */
    public static int replyToLength(final FrameErrors errors, final long sourceId, final MessageType type,
        final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 2)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, type + " of " + length + " bytes has no reply-to");
            return -1;
        }
        final int replyToLength = buffer.getShort(offset, LITTLE_ENDIAN) & 0xFFFF;
        if (replyToLength == 0 || replyToLength > REPLY_TO_LENGTH_MAX || replyToLength > length - 2)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, type + ": reply-to length " + replyToLength + " in "
                + length + " bytes");
            return -1;
        }
        return replyToLength;
    }

    /**
     * The reply-to length of a request that came sealed in {@code session}; -1, recorded in {@code errors}, when it
     * does not fit. Only skipped: the response goes back by the session.
     */
    public static int replyToLength(final FrameErrors errors, final TlsSession session, final MessageType type,
        final DirectBuffer buffer, final int offset, final int length)
    {
        final int replyToLength = length < 2 ? -1 : buffer.getShort(offset, LITTLE_ENDIAN) & 0xFFFF;
        if (replyToLength < 0 || replyToLength > length - 2)
        {
            errors.record(FrameError.PAYLOAD_INVALID, session.id(), type + " from " + session.peer()
                + ": reply-to length " + replyToLength + " in " + length + " bytes");
            return -1;
        }
        return replyToLength;
    }

    /** Why the reply-to of {@code length} bytes at {@code offset} is not one to answer ({@link ReplyAddresses}). */
    public static String invalidReplyTo(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return ReplyAddresses.invalid(new String(bytes, StandardCharsets.US_ASCII));
    }
}
