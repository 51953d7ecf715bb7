package io.tributary.protocol.frame;

import org.agrona.MutableDirectBuffer;

/**
 * Writes one kind of message as a frame payload. Implementations are stateless and shared: one
 * preallocated instance per message type, so a send allocates no encoder.
 *
 * @param <M> the message class.
 */
public interface PayloadEncoder<M>
{
    /** Exact payload length of {@code message}; may be called more than once per send (cache it in the message). */
    int encodedLength(M message);

    /**
     * Writes exactly {@code length} bytes (the value of {@link #encodedLength}) at {@code offset}.
     *
     * @throws RuntimeException if the message does not fit or changed; the sender aborts the frame.
     */
    void encode(M message, MutableDirectBuffer buffer, int offset, int length);
}
