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

    /**
     * Whether the node at {@code address} is known to be down now: it answered before and has gone
     * silent since, so a request to it would fail at once. False when unknown. Callers that can choose
     * among replicas start with one not known to be down (as a Kafka client backs off a node whose
     * connection just failed) instead of paying a failure and a retry back-off first.
     */
    default boolean knownDown(final String address)
    {
        return false;
    }

    /** Largest request or response this transport carries. */
    int messageBytesMax();

    /** Ends every call in flight with a failure and releases the transport's resources. */
    @Override
    void close();
}
