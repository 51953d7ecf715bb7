package io.tributary.client;

import io.tributary.format.AppendStatus;

/**
 * The shard refused a batch and stored nothing: the status says why (INVALID_BATCH,
 * KEY_LIMIT_REACHED, ...), the message gives the details from the server, and {@code expected}
 * and {@code found} the values compared, where the status has them.
 */
public final class AppendRejectedException extends TributaryException
{
    private final AppendStatus status;
    private final long expected;
    private final long found;

    public AppendRejectedException(final String message, final AppendStatus status, final long expected,
        final long found)
    {
        super(message);
        this.status = status;
        this.expected = expected;
        this.found = found;
    }

    public AppendStatus status()
    {
        return status;
    }

    public long expected()
    {
        return expected;
    }

    public long found()
    {
        return found;
    }
}
