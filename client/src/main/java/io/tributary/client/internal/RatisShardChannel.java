package io.tributary.client.internal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.tributary.raft.node.RaftSettings;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ShardChannel} over one Ratis client of the shard's group. Ratis follows the leader
 * (NotLeader replies, failed connections) and retries within its retry policy; what is left
 * over reaches the caller as an exception.
 */
public final class RatisShardChannel implements ShardChannel
{
    private static final Logger LOG = LoggerFactory.getLogger(RatisShardChannel.class);

    private final RaftClient client;
    private final String name;

    public RatisShardChannel(final StreamInfo.ShardInfo shard, final String transport, final long requestTimeoutMs,
        final RetryPolicy retryPolicy)
    {
        this.client = RaftSettings.newClient(RaftSettings.group(shard.groupId(), shard.replicas()), transport, requestTimeoutMs,
            retryPolicy);
        this.name = "shard group " + shard.groupId().getUuid() + " " + shard.replicas().keySet();
    }

    /** Opens Ratis channels with these settings. */
    public static Factory factory(final String transport, final long requestTimeoutMs, final RetryPolicy retryPolicy)
    {
        return shard -> new RatisShardChannel(shard, transport, requestTimeoutMs, retryPolicy);
    }

    @Override
    public CompletableFuture<ByteString> append(final byte[] request)
    {
        return client.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(request))).thenApply(this::content);
    }

    @Override
    public CompletableFuture<ByteString> query(final byte[] request, final String replica, final long minIndex)
    {
        final Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(request));
        // Linearizable reads go unordered. Ratis's ordered async client keeps one sliding window (its own
        // sequence numbers) per target: one for "the leader", one per named server. A server keeps one window
        // per client connection (grpc) or per client and group (our Aeron transport), so once the leader-bound
        // sequence and a follower read's sequence both reach one replica they collide there: a request is held
        // behind a gap or behind a sequence number already passed, unanswered until the request timeout. Reads
        // need no order among themselves; follower reads stay ordered, one window per replica, alone at each.
        final CompletableFuture<RaftClientReply> reply = replica == null ? client.async().sendReadOnlyUnordered(message)
            : client.async().sendStaleRead(message, minIndex, RaftPeerId.valueOf(replica));
        return reply.thenApply(this::content);
    }

    private ByteString content(final RaftClientReply reply)
    {
        if (!reply.isSuccess())
        {
            final Exception cause = reply.getException();
            throw new CompletionException(cause != null ? cause : new IOException(name + " answered without success: " + reply));
        }
        return reply.getMessage().getContent();
    }

    @Override
    public String leader()
    {
        final RaftPeerId leader = client.getLeaderId();
        return leader == null ? null : leader.toString();
    }

    @Override
    public void close()
    {
        try
        {
            client.close();
        }
        catch (final IOException e)
        {
            LOG.warn("closing the client of {}: {}", name, e.toString());
        }
    }

    @Override
    public String toString()
    {
        return name;
    }
}
