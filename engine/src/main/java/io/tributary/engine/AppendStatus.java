package io.tributary.engine;

/** Outcome of {@link ShardLog#append}. Only {@link #APPENDED} stores anything. */
public enum AppendStatus
{
    /** Stored; base and last offset are set. */
    APPENDED,
    /** The same producer batch was stored before: base and last offset are the original ones. */
    DUPLICATE,
    /** The raft index is not above the last one stored: this entry was applied before (replay). */
    ALREADY_APPLIED,
    /** The batch is malformed, fails a checksum or passes a limit; the message says which. */
    INVALID_BATCH,
    /** The producer skipped sequence numbers: expected and found are sequences. */
    SEQUENCE_GAP,
    /** A sequence at or below the last one that is not a known recent batch: expected and found are sequences. */
    OUT_OF_ORDER_SEQUENCE,
    /** The producer's epoch is older than the one seen: expected and found are epochs. */
    STALE_EPOCH,
    /** A producer id this shard does not know (or has evicted) sent a sequence other than 0. */
    UNKNOWN_PRODUCER,
    /** The shard's last offset is not the expected one: expected and found are offsets. */
    SHARD_CONDITION_FAILED,
    /** The key's last offset is not the expected one: expected and found are offsets (-1: no record). */
    KEY_CONDITION_FAILED,
    /** Storing the batch would pass the shard's maximum number of distinct keys. */
    KEY_LIMIT_REACHED
}
