package io.tributary.transport.codec;

import org.agrona.DirectBuffer;
import org.apache.ratis.thirdparty.com.google.protobuf.InvalidProtocolBufferException;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;

import io.tributary.protocol.frame.FrameError;
import io.tributary.protocol.frame.FrameErrors;
import io.tributary.protocol.frame.FrameHandler;
import io.tributary.protocol.frame.MessageType;

/**
 * Parses each whole message with its type's codec and passes it on. A payload that is not a
 * valid protobuf of its type is dropped and counted ({@link FrameError#PAYLOAD_INVALID}); this
 * never throws on bad input. Not thread-safe: one polling thread.
 */
public final class RatisMessageDecoder implements FrameHandler
{
    private final FrameErrors errors;
    private final RatisMessageHandler handler;
    private long decoded;

    public RatisMessageDecoder(final FrameErrors errors, final RatisMessageHandler handler)
    {
        this.errors = errors;
        this.handler = handler;
    }

    @Override
    public void onMessage(
        final long sourceId,
        final MessageType type,
        final long correlationId,
        final long groupIdMsb,
        final long groupIdLsb,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final MessageLite message;
        try
        {
            message = RatisMessageCodecs.codec(type).decode(buffer, offset, length);
        }
        catch (final InvalidProtocolBufferException | RuntimeException ex)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, type + " correlation " + correlationId + ", " + length
                + " bytes: " + ex.getMessage());
            return;
        }
        decoded++;
        handler.onMessage(sourceId, type, correlationId, groupIdMsb, groupIdLsb, message);
    }

    public long decoded()
    {
        return decoded;
    }
}
