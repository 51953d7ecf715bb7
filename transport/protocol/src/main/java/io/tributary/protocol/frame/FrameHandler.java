package io.tributary.protocol.frame;

import org.agrona.DirectBuffer;

/**
 * Receives whole messages (after validation and reassembly) on the polling thread.
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * @param sourceId      the sender's stream (Aeron session id).
     * @param buffer        holds the payload only for the duration of the call: copy or parse it, do not keep it.
     * @param offset        of the payload in {@code buffer}.
     * @param length        of the payload (the whole message).
     */
    void onMessage(
        long sourceId,
        MessageType type,
        long correlationId,
        long groupIdMsb,
        long groupIdLsb,
        DirectBuffer buffer,
        int offset,
        int length);
}
