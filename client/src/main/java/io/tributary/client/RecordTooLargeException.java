package io.tributary.client;

/**
 * Thrown by {@link Producer#send} for a record that no shard would accept: it cannot fit a batch
 * of {@link ProducerConfig#maxBatchBytes} on its own, or its key is longer than
 * {@link ProducerConfig#maxKeyBytes}. Nothing was buffered.
 */
public final class RecordTooLargeException extends TributaryException
{
    private final long sizeBytes;
    private final long limitBytes;

    public RecordTooLargeException(final String message, final long sizeBytes, final long limitBytes)
    {
        super(message);
        this.sizeBytes = sizeBytes;
        this.limitBytes = limitBytes;
    }

    public long sizeBytes()
    {
        return sizeBytes;
    }

    public long limitBytes()
    {
        return limitBytes;
    }
}
