package io.tributary.bench.load;

/**
 * A system the load generator measures: Tributary or Kafka. One instance per run; it owns the
 * connections it opens and closes them in {@link #close()}.
 */
public interface LoadSystem extends AutoCloseable
{
    /** Short name for reports: {@code tributary}, {@code kafka}. */
    String name();

    /**
     * Creates the stream (topic) the run writes to, with {@code shards} shards (partitions), and waits until it is
     * ready.
     */
    void createStream(String stream, int shards, int replicationFactor) throws Exception;

    /** A producer on {@code stream}; one per load thread. */
    LoadTarget producer(String stream) throws Exception;

    /** A consumer of every shard of {@code stream}, positioned at its first record. */
    LoadSource consumer(String stream) throws Exception;

    /**
     * The Raft counters of {@code stream}'s shards, for entries per second and records per entry;
     * {@link ClusterCounters#NOT_AVAILABLE} (the default) for a system without Raft groups. The
     * caller samples it from its own thread and closes it.
     */
    default ClusterCounters clusterCounters(final String stream) throws Exception
    {
        return ClusterCounters.NOT_AVAILABLE;
    }

    @Override
    void close() throws Exception;
}
