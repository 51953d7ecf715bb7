package io.tributary.protocol.net;

import org.agrona.DirectBuffer;

import io.tributary.protocol.frame.MessageType;

/**
 * A client's side of Tributary's protocol: requests to nodes by address, responses matched by
 * correlation id. Implemented over Aeron and TCP. Thread-safe.
 */
public interface ClientTransport extends AutoCloseable
{
    /**
     * Sends {@code length} bytes of {@code body} as one request to the node at {@code address}
     * (host:port); {@code handler} hears the outcome exactly once, within {@code timeoutMs}.
     * The body is copied before this returns.
     */
    void call(String address, MessageType type, DirectBuffer body, int offset, int length, long timeoutMs,
        ResponseHandler handler);

    /** Largest request or response this transport carries. */
    int messageBytesMax();

    /** Ends every call in flight with a failure and releases the transport's resources. */
    @Override
    void close();
}
