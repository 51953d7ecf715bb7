package io.tributary.engine;

/**
 * What opening a shard log found: how much it read, and the torn or corrupt tail it dropped,
 * if any. {@code droppedTail} is null when the log ended on a valid batch.
 */
public record RecoveryReport(
    long batchesScanned,
    long bytesScanned,
    long fromExcerptIndex,
    boolean restoredFromSnapshot,
    String droppedTail,
    long durationNs)
{
    public boolean droppedSomething()
    {
        return droppedTail != null;
    }

    /** This report with {@code what} (may be null: nothing) added to what was dropped. */
    public RecoveryReport alsoDropped(final String what)
    {
        if (what == null)
        {
            return this;
        }
        return new RecoveryReport(batchesScanned, bytesScanned, fromExcerptIndex, restoredFromSnapshot,
            droppedTail == null ? what : droppedTail + "; " + what, durationNs);
    }

    @Override
    public String toString()
    {
        return "recovered " + batchesScanned + " batches (" + bytesScanned + " bytes) in "
            + (durationNs / 1_000_000) + " ms" + (restoredFromSnapshot ? " after a snapshot" : "")
            + (droppedTail == null ? "; the log ends on a valid batch" : "; dropped tail: " + droppedTail);
    }
}
