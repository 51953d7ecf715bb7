package io.tributary.client.internal;

import java.util.concurrent.CompletableFuture;

import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Requests to one shard's Raft group, asynchronous; a seam between the client's logic and Ratis
 * (tests put an in-process shard behind it). Thread-safe.
 */
public interface ShardChannel extends AutoCloseable
{
    /**
     * Sends an encoded append to the leader. Appends are delivered and answered in the order of
     * the calls; when one fails with an exception, the ones sent after it that are still open
     * fail too (Ratis's ordered async client), so the caller can resend them in order. The array
     * is wrapped, not copied: it must not change until the future completes.
     *
     * @return the reply's bytes ({@code ShardProtocol} append reply), or an exception (timeout,
     *         no leader, group not found, closed).
     */
    CompletableFuture<ByteString> append(byte[] request);

    /**
     * Sends a query (READ or STATUS): linearizable on the leader when {@code replica} is null,
     * else a stale read on that replica once it has applied {@code minIndex}. Linearizable queries are
     * unordered (not delayed behind earlier calls); follower reads are ordered per replica. Do not mix
     * appends and follower reads on one channel: over grpc their two ordered sequences collide at the
     * replica both reach (RatisShardChannel#query says why).
     */
    CompletableFuture<ByteString> query(byte[] request, String replica, long minIndex);

    /** The leader this channel last heard of, or null. */
    String leader();

    @Override
    void close();

    /** Opens channels; used by the producer and consumer so tests can substitute them. */
    @FunctionalInterface
    interface Factory
    {
        ShardChannel open(StreamInfo.ShardInfo shard);
    }
}
