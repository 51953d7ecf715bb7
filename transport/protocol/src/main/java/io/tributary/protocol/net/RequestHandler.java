package io.tributary.protocol.net;

import org.agrona.DirectBuffer;

import io.tributary.protocol.frame.MessageType;

/** Serves requests on the carrier's thread: must not block (hand slow work to an executor). */
@FunctionalInterface
public interface RequestHandler
{
    /** {@code buffer} holds the request only for the duration of the call: copy what is kept. */
    void onRequest(Responder from, MessageType type, long correlationId, DirectBuffer buffer, int offset, int length);
}
