package io.tributary.raft.frontend;

/**
 * The front end's limits, from the node configuration ({@code frontend.*}, docs/configuration.md).
 *
 * @param entryBytesMax       bytes of batches one Raft entry carries at most (a single larger batch travels
 *                            alone); keep it below half a G1 region so entries are not humongous objects.
 * @param entriesInFlightMax  Raft entries in flight per shard: while they are, new batches queue and become the
 *                            next entry together.
 * @param queueBytesMax       bytes waiting per shard beyond which batches are refused BUSY (retriable).
 * @param submitThreads       threads submitting entries and assembling fetch responses.
 * @param requestBytesMax     largest request taken; a larger one is answered TOO_LARGE (below the transport's own
 *                            message limit, past which a request is dropped before it reaches the front end).
 * @param leaderWaitMs        how long batches wait on a leader in transition (elected but not ready, or handing its
 *                            leadership over) before they are refused; 0 refuses them at once.
 * @param entryIntervalMaxUs  the longest a shard's unfull entry waits after its previous one while the machine's CPU
 *                            is saturated ({@link EntryPacer}); 0 never waits.
 */
public record FrontEndSettings(int entryBytesMax, int entriesInFlightMax, long queueBytesMax, int submitThreads,
    int requestBytesMax, long leaderWaitMs, long entryIntervalMaxUs)
{
    public static final int DEFAULT_ENTRY_BYTES_MAX = 256 * 1024;
    public static final int DEFAULT_ENTRIES_IN_FLIGHT_MAX = 2;
    public static final long DEFAULT_QUEUE_BYTES_MAX = 16L * 1024 * 1024;
    public static final int DEFAULT_SUBMIT_THREADS = 2;
    public static final int DEFAULT_REQUEST_BYTES_MAX = 16 << 20;
    public static final long DEFAULT_LEADER_WAIT_MS = 1_000;
    public static final long DEFAULT_ENTRY_INTERVAL_MAX_US = 10_000;

    public static FrontEndSettings defaults()
    {
        return new FrontEndSettings(DEFAULT_ENTRY_BYTES_MAX, DEFAULT_ENTRIES_IN_FLIGHT_MAX, DEFAULT_QUEUE_BYTES_MAX,
            DEFAULT_SUBMIT_THREADS, DEFAULT_REQUEST_BYTES_MAX, DEFAULT_LEADER_WAIT_MS, DEFAULT_ENTRY_INTERVAL_MAX_US);
    }
}
