package io.tributary.client.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Requests to one shard, asynchronous: the seam between the client's logic and the nodes'
 * front ends (tests put an in-process shard behind it). Appends go to the shard's leader; reads
 * to the leader (linearizable) or a named replica (follower reads). Calls made between two
 * {@link Factory#flush()}es to the same node travel in one request (one produce request per node
 * for many shards, one fetch per node). Thread-safe.
 */
public interface ShardChannel extends AutoCloseable
{
    /**
     * Appends one item ({@code io.tributary.protocol.AppendItemDescriptor} bytes: condition, trace, batch).
     * Items of one shard reach its leader in the order of the calls. The array is not copied until the
     * next flush: it must not change before then.
     *
     * @return the shard's result, or an exception when the outcome is unknown (timeout, node unreachable).
     */
    CompletableFuture<AppendOutcome> append(byte[] item);

    /**
     * Reads from {@code fromOffset} up to {@code maxBytes} (0: the position only): linearizable from the leader
     * when {@code replica} is null, else from that replica once it has applied {@code minIndex}. With
     * {@code waitMs > 0} the node answers once there is data (on this shard or another of the same fetch) or
     * the wait ends.
     */
    CompletableFuture<ReadOutcome> read(long fromOffset, int maxBytes, int waitMs, String replica, long minIndex);

    /**
     * Whether an append now would leave at the next flush: the leader's node has fewer produce requests
     * in flight than its limit, or a request to it is already being filled. Producers keep batches open
     * (growing) while this is false.
     */
    default boolean canSend()
    {
        return true;
    }

    /** The node this channel believes leads the shard. */
    String leader();

    @Override
    void close();

    /** Opens channels; used by the producer and consumer so tests can substitute them. */
    interface Factory
    {
        ShardChannel open(StreamInfo.ShardInfo shard);

        /** Sends what the channels of this factory queued since the last flush, one request per node. */
        default void flush()
        {
        }
    }
}
