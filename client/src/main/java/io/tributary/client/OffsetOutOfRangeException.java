package io.tributary.client;

/**
 * A consumer's position in a shard is outside the offsets the shard holds: below the first
 * retained one (deleted by retention) or past the next one to be written. The consumer's
 * position is unchanged; {@link Consumer#seek} to a valid offset, for instance {@link #firstOffset()}.
 */
public final class OffsetOutOfRangeException extends TributaryException
{
    private final String stream;
    private final int shard;
    private final long requested;
    private final long firstOffset;
    private final long nextOffset;

    public OffsetOutOfRangeException(final String stream, final int shard, final long requested, final long firstOffset,
        final long nextOffset)
    {
        super("stream '" + stream + "' shard " + shard + ": offset " + requested + " is out of range; the shard holds ["
            + firstOffset + ", " + nextOffset + ")"
                + (requested < firstOffset ? "; older offsets were deleted by retention,"
            + " seek to " + firstOffset : "; seek to at most " + nextOffset));
        this.stream = stream;
        this.shard = shard;
        this.requested = requested;
        this.firstOffset = firstOffset;
        this.nextOffset = nextOffset;
    }

    public String stream()
    {
        return stream;
    }

    public int shard()
    {
        return shard;
    }

    public long requested()
    {
        return requested;
    }

    /** The first offset the shard still holds. */
    public long firstOffset()
    {
        return firstOffset;
    }

    /** The offset the next record will get. */
    public long nextOffset()
    {
        return nextOffset;
    }
}
