package io.tributary.protocol.frame;

import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;


/** Keeps a copy of every message delivered. */
public final class RecordingHandler implements FrameHandler
{
    public record Message(long sourceId, MessageType type, long correlationId, long groupIdMsb, long groupIdLsb,
        byte[] payload)
    {
    }

    public final List<Message> messages = new ArrayList<>();

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
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        messages.add(new Message(sourceId, type, correlationId, groupIdMsb, groupIdLsb, payload));
    }
}
