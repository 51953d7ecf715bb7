package io.tributary.engine;

/** A read asked for an offset outside [first retained offset, next offset]. */
public final class OffsetOutOfRangeException extends RuntimeException
{
    private final long requested;
    private final long firstOffset;
    private final long nextOffset;

    public OffsetOutOfRangeException(final long requested, final long firstOffset, final long nextOffset)
    {
        super("offset " + requested + " is out of range: this shard holds offsets [" + firstOffset + ", "
            + nextOffset + ")" + (requested < firstOffset ? "; older ones were deleted by retention, read from "
            + firstOffset : "; the next offset to be written is " + nextOffset));
        this.requested = requested;
        this.firstOffset = firstOffset;
        this.nextOffset = nextOffset;
    }

    public long requested()
    {
        return requested;
    }

    public long firstOffset()
    {
        return firstOffset;
    }

    public long nextOffset()
    {
        return nextOffset;
    }
}
