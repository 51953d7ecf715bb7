package io.tributary.client;

import java.io.IOException;
import java.time.Duration;

import io.tributary.client.internal.ConsumerImpl;

/**
 * Reads the shards of one stream from positions it keeps, one per assigned shard.
 *
 * <p><b>Threads.</b> Not thread-safe: use a consumer from one thread at a time (one consumer per
 * thread is the intended use).
 *
 * <p><b>Buffers.</b> {@link #poll} returns a view of whole stored batches in buffers the
 * consumer owns and reuses: it is valid until the next {@code poll}, {@code seek} or
 * {@code close}. Copy what must outlive it. Iterating it allocates nothing per record.
 *
 * <p><b>Consistency.</b> {@link ReadConsistency#LINEARIZABLE} by default; {@code FOLLOWER}
 * reads one replica, bounded by what it has applied. {@code poll} long-polls: a read at the end
 * of a shard waits on the server for new records.
 *
 * <p><b>Failures.</b> Reads that fail for a moment (leader change, timeout) are retried inside
 * {@code poll}; {@code poll} throws {@link OffsetOutOfRangeException} when a position is outside
 * the shard (the position is kept; seek), and {@link TributaryException} when a shard's reads
 * keep failing for {@link ConsumerConfig#failAfterMs} or the server reports corrupt data.
 */
public interface Consumer extends AutoCloseable
{
    /** @throws IOException if the metadata quorum cannot be reached. */
    static Consumer create(final ConsumerConfig config) throws IOException
    {
        return ConsumerImpl.create(config);
    }

    /**
     * Reads these shards of {@code stream} (all of them when none are given), each from offset 0
     * until {@link #seek}. Replaces the previous assignment.
     *
     * @throws UnknownStreamException if the stream does not exist.
     * @throws IllegalArgumentException if a shard is not in [0, shard count).
     */
    void assign(String stream, int... shards) throws IOException;

    /** The assigned stream, or null. */
    String stream();

    /** The assigned shards, ascending. */
    int[] assignment();

    /** Reads {@code shard} from {@code offset} next (the view of the last poll becomes invalid). */
    void seek(int shard, long offset);

    /** Moves every assigned shard to its first retained offset. */
    void seekToBeginning() throws IOException;

    /** Moves every assigned shard to its next offset: only records stored from now on are read. */
    void seekToEnd() throws IOException;

    /** The offset the next record read from {@code shard} will have. */
    long position(int shard);

    /**
     * Returns records from the assigned shards, waiting up to {@code timeout} for at least one;
     * an empty view when none came. Each shard's position moves past what is returned.
     */
    ConsumerBatch poll(Duration timeout);

    /** Releases connections; outstanding reads are abandoned. Idempotent. */
    @Override
    void close();
}
