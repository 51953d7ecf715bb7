package io.tributary.protocol.access;

/**
 * Checks an audit trail record by record, from its first: each value must parse, and must name the hash of the value
 * before it (the first, {@link AuditRecord#GENESIS}). A record removed, altered or moved is found at the record after
 * it (or at itself, when it no longer parses). Not thread-safe: one per pass over a trail.
 */
public final class AuditChain
{
    private String expectedPrevious = AuditRecord.GENESIS;
    private long checked;
    private String broken;

    /**
     * Checks the next record (at {@code offset} of the audit stream); returns it, or null once the chain is broken
     * ({@link #broken()} says where and how; every later record is then ignored).
     */
    public AuditRecord next(final long offset, final byte[] value)
    {
        if (broken != null)
        {
            return null;
        }
        final AuditRecord record;
        try
        {
            record = AuditRecord.decode(value);
        }
        catch (final IllegalArgumentException e)
        {
            broken = "offset " + offset + ": " + e.getMessage();
            return null;
        }
        if (!record.previousHash().equals(expectedPrevious))
        {
            broken = "offset " + offset + " names previous hash " + record.previousHash() + " but the record before "
                + "it hashes to " + expectedPrevious + ": a record before it was removed, altered or moved";
            return null;
        }
        expectedPrevious = AuditRecord.hash(value);
        checked++;
        return record;
    }

    /** Records that passed. */
    public long checked()
    {
        return checked;
    }

    /** Null while the chain holds, else where and how it broke. */
    public String broken()
    {
        return broken;
    }

    /** The hash the next record must name. */
    public String expectedPrevious()
    {
        return expectedPrevious;
    }
}
