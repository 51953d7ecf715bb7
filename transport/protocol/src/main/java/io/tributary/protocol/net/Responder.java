package io.tributary.protocol.net;

import org.agrona.DirectBuffer;

import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.protocol.tls.PeerIdentity;

/** The way back to one requester, whatever carries the messages (Aeron, TCP). Thread-safe. */
public interface Responder
{
    /** Sends a response; returns why not when it could not (the requester then times out). */
    SendStatus respond(MessageType type, long correlationId, DirectBuffer buffer, int offset, int length);

    /** The requester's address, for logs. */
    String peer();

    /** Who the requester proved to be (its certificate), or null when the link has no TLS. */
    default PeerIdentity principal()
    {
        return null;
    }
}
