package io.tributary.client;

/**
 * The producer gave up on a batch (retries or the delivery timeout were exhausted, or it was
 * closed) without learning whether the shard stored it: the records may or may not be in the
 * log. The cause is the last error seen.
 */
public final class OutcomeUnknownException extends TributaryException
{
    public OutcomeUnknownException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
