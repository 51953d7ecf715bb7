package io.tributary.engine;

/** A snapshot failed its checks; it is never restored. */
public final class CorruptSnapshotException extends RuntimeException
{
    public CorruptSnapshotException(final String message)
    {
        super(message);
    }
}
