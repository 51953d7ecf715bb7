package io.tributary.client;

/**
 * The producer's memory ({@link ProducerConfig#bufferMemoryBytes}) stayed full: at once with
 * {@link ProducerConfig.BackPressure#FAIL_FAST}, or for {@link ProducerConfig#maxBlockMs} with
 * {@code BLOCK}. The record was not buffered; send it again later or slow down.
 */
public final class BufferFullException extends TributaryException
{
    public BufferFullException(final String message)
    {
        super(message);
    }
}
