package io.tributary.protocol.net;

import org.agrona.DirectBuffer;

import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.SendStatus;

/** The way back to one requester, whatever carries the messages (Aeron, TCP). Thread-safe. */
public interface Responder
{
    /** Sends a response; returns why not when it could not (the requester then times out). */
    SendStatus respond(MessageType type, long correlationId, DirectBuffer buffer, int offset, int length);

    /** The requester's address, for logs. */
    String peer();
}
