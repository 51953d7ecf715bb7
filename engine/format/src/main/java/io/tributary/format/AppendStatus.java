package io.tributary.format;

/**
 * The outcome of appending one record batch, as the engine decides it and as a producer reads
 * it in a produce response. Only {@link #APPENDED} stores anything; {@link #DUPLICATE} means it
 * was stored before. Each value has a fixed wire {@link #code()} (never the ordinal): codes
 * below 32 are the engine's decisions, 32 and up are the node's, taken before or instead of the
 * engine (routing, overload, a lost entry).
 */
public enum AppendStatus
{
    /** Stored; base and last offset are set. */
    APPENDED(0),
    /** The same producer batch was stored before: base and last offset are the original ones. */
    DUPLICATE(1),
    /** The replay key is not above the last one stored: this part of an entry was applied before (replay). */
    ALREADY_APPLIED(2),
    /** The batch is malformed, fails a checksum or passes a limit; the message says which. */
    INVALID_BATCH(3),
    /** The producer skipped sequence numbers: expected and found are sequences. */
    SEQUENCE_GAP(4),
    /** A sequence at or below the last one that is not a known recent batch: expected and found are sequences. */
    OUT_OF_ORDER_SEQUENCE(5),
    /** The producer's epoch is older than the one seen: expected and found are epochs. */
    STALE_EPOCH(6),
    /** A producer id this shard does not know (or has evicted) sent a sequence other than 0. */
    UNKNOWN_PRODUCER(7),
    /** The shard's last offset is not the expected one: expected and found are offsets. */
    SHARD_CONDITION_FAILED(8),
    /** The key's last offset is not the expected one: expected and found are offsets (-1: no record). */
    KEY_CONDITION_FAILED(9),
    /** Storing the batch would pass the shard's maximum number of distinct keys. */
    KEY_LIMIT_REACHED(10),

    /**
     * This node does not lead the shard: nothing was stored; the message names the leader when known ("id@host:port").
     */
    NOT_LEADER(32),
    /** This node hosts no replica of the shard (moved, or not created yet): nothing was stored. */
    SHARD_NOT_HOSTED(33),
    /**
     * The Raft entry carrying the batch failed after it was submitted (leader change, timeout, shutdown): it may or
     * may not be stored. An idempotent producer resends it (a stored one comes back as DUPLICATE).
     */
    OUTCOME_UNKNOWN(34),
    /** The shard's queue on the node is full: nothing was stored; retry after a backoff. */
    BUSY(35),
    /**
     * The leader's data disk is below the space it keeps free: nothing was stored; the message names the disk; retry
     * later.
     */
    DISK_FULL(36),
    /**
     * The requester's principal holds no role that lets it append to the stream (security on): nothing was stored;
     * the message names the principal, the stream and the role needed.
     */
    NOT_AUTHORIZED(37);

    private static final AppendStatus[] BY_CODE = new AppendStatus[64];

    static
    {
        for (final AppendStatus status : values())
        {
            if (BY_CODE[status.code] != null)
            {
                throw new IllegalStateException("duplicate append status code " + status.code + ": " + status + " and "
                    + BY_CODE[status.code]);
            }
            BY_CODE[status.code] = status;
        }
    }

    private final byte code;

    AppendStatus(final int code)
    {
        this.code = (byte)code;
    }

    /** The fixed code on the wire. */
    public byte code()
    {
        return code;
    }

    /** @return the status with this code, or null for a code this version does not know. */
    public static AppendStatus fromCode(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** True for the statuses after which nothing is stored and a resend (same sequence) may succeed. */
    public boolean isRetriable()
    {
        return this == NOT_LEADER || this == SHARD_NOT_HOSTED || this == BUSY || this == DISK_FULL;
    }
}
