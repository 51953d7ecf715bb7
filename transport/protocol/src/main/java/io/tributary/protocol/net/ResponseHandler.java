package io.tributary.protocol.net;

import java.io.IOException;

import org.agrona.DirectBuffer;

import io.tributary.protocol.frame.MessageType;

/** Receives the outcome of one call exactly once, on the carrier's thread (or the caller's, for a failed send). */
public interface ResponseHandler
{
    /** The response; {@code buffer} is valid only during the call. */
    void onResponse(MessageType type, DirectBuffer buffer, int offset, int length);

    /** No response: not sent, timed out, connection lost, or the transport closed. */
    void onFailure(IOException error);
}
