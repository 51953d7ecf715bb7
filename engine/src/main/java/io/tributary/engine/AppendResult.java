package io.tributary.engine;

import io.tributary.format.AppendStatus;

/**
 * Mutable result of one append, owned by the caller and reused across appends so the hot path
 * allocates nothing. {@code message} is set, and allocated, only for errors.
 */
public final class AppendResult
{
    public static final long NONE = Long.MIN_VALUE;

    private AppendStatus status;
    private long baseOffset = NONE;
    private long lastOffset = NONE;
    private long expected = NONE;
    private long found = NONE;
    private String message;

    AppendResult set(final AppendStatus status, final long baseOffset, final long lastOffset)
    {
        this.status = status;
        this.baseOffset = baseOffset;
        this.lastOffset = lastOffset;
        this.expected = NONE;
        this.found = NONE;
        this.message = null;
        return this;
    }

    AppendResult fail(final AppendStatus status, final long expected, final long found, final String message)
    {
        this.status = status;
        this.baseOffset = NONE;
        this.lastOffset = NONE;
        this.expected = expected;
        this.found = found;
        this.message = message;
        return this;
    }

    /** Records a failure decided above the engine (for instance a malformed request); nothing was stored. */
    public AppendResult failWith(final AppendStatus status, final long expected, final long found, final String message)
    {
        if (status == AppendStatus.APPENDED || status == AppendStatus.DUPLICATE)
        {
            throw new IllegalArgumentException("failWith takes a failure status, not " + status);
        }
        return fail(status, expected, found, message);
    }

    public AppendStatus status()
    {
        return status;
    }

    /** True when the batch is (now or before) stored: APPENDED or DUPLICATE. */
    public boolean isStored()
    {
        return status == AppendStatus.APPENDED || status == AppendStatus.DUPLICATE;
    }

    public long baseOffset()
    {
        return baseOffset;
    }

    public long lastOffset()
    {
        return lastOffset;
    }

    public long expected()
    {
        return expected;
    }

    public long found()
    {
        return found;
    }

    public String message()
    {
        return message;
    }

    @Override
    public String toString()
    {
        return status + (isStored() ? " [" + baseOffset + ", " + lastOffset + "]" : "")
            + (message == null ? "" : ": " + message);
    }
}
