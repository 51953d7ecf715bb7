package io.tributary.client.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import io.tributary.client.Admin;
import io.tributary.client.AdminConfig;
import io.tributary.client.TributaryException;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.node.RaftSettings;
import io.tributary.raft.protocol.ShardProtocol;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * The {@link Admin}: metadata commands and queries through {@link MetadataClient}; shard status
 * and leadership through a short-lived Ratis client of each shard's group.
 */
public final class AdminImpl implements Admin
{
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final RatisMetadataView metadata;
    private final String transport;
    private final long requestTimeoutMs;

    private AdminImpl(final AdminConfig config)
    {
        config.validate();
        this.metadata = new RatisMetadataView(config.metadataPeers(), config.transport(), config.requestTimeoutMs());
        this.transport = config.transport();
        this.requestTimeoutMs = config.requestTimeoutMs();
    }

    public static Admin create(final AdminConfig config)
    {
        return new AdminImpl(config);
    }

    // ------------------------------------------------------------------ streams

    @Override
    public long createStream(final String name, final int shards, final int replicationFactor) throws IOException
    {
        return createStream(name, shards, replicationFactor, -1, -1);
    }

    @Override
    public long createStream(final String name, final int shards, final int replicationFactor, final long retentionBytes,
        final long retentionMs) throws IOException
    {
        final String id = command(name, "CREATE_STREAM", name, Integer.toString(shards), Integer.toString(replicationFactor),
            Long.toString(retentionBytes), Long.toString(retentionMs));
        try
        {
            return Long.parseLong(id.trim());
        }
        catch (final NumberFormatException e)
        {
            throw new IOException("CREATE_STREAM " + name + " answered '" + id + "', not a stream id", e);
        }
    }

    @Override
    public void awaitStreamReady(final String name, final Duration timeout) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        String missing;
        while (true)
        {
            missing = notReady(name);
            if (missing == null)
            {
                return;
            }
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new TributaryException("stream '" + name + "' is not ready after " + timeout.toMillis() + " ms: " + missing);
            }
            LockSupport.parkNanos(this, POLL_NS);
            if (Thread.interrupted())
            {
                throw new InterruptedException("interrupted while waiting for stream '" + name + "'");
            }
        }
    }

    /** What keeps the stream from being ready, or null when every shard is placed and its leader answers. */
    private String notReady(final String name) throws IOException
    {
        final StreamInfo info = metadata.describe(name);
        for (final StreamInfo.ShardInfo shard : info.shards())
        {
            if (shard.replicas().size() < info.replicationFactor())
            {
                return "shard " + shard.shard() + " has " + shard.replicas().size() + " of " + info.replicationFactor()
                    + " replicas placed";
            }
        }
        for (final StreamInfo.ShardInfo shard : info.shards())
        {
            try (RaftClient client = client(shard, 2))
            {
                final RaftClientReply reply = client.io().sendReadOnly(statusMessage());
                if (!reply.isSuccess())
                {
                    return "shard " + shard.shard() + " has no leader yet: " + reply.getException();
                }
            }
            catch (final IOException e)
            {
                return "shard " + shard.shard() + " does not answer yet: " + e.getMessage();
            }
        }
        return null;
    }

    @Override
    public StreamDescription describeStream(final String name) throws IOException
    {
        final StreamInfo info = metadata.describe(name);
        final List<ShardPlacement> placement = new ArrayList<>();
        for (final StreamInfo.ShardInfo shard : info.shards())
        {
            placement.add(new ShardPlacement(shard.shard(), shard.groupId().getUuid().toString(), shard.replicas()));
        }
        return new StreamDescription(info.name(), info.id(), info.shardCount(), info.replicationFactor(),
            info.retentionBytes(), info.retentionMs(), List.copyOf(placement));
    }

    @Override
    public List<StreamSummary> listStreams() throws IOException
    {
        final List<StreamSummary> streams = new ArrayList<>();
        for (final String line : query(null, "LIST").split("\n"))
        {
            if (line.isBlank())
            {
                continue;
            }
            final String[] f = line.split("\t", -1);
            if (f.length < 3)
            {
                throw new IOException("LIST answered a malformed line '" + line + "' (expected name, shards, rf)");
            }
            streams.add(new StreamSummary(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2])));
        }
        return streams;
    }

    @Override
    public void deleteStream(final String name) throws IOException
    {
        command(name, "DELETE_STREAM", name);
    }

    // ------------------------------------------------------------------ nodes

    @Override
    public List<NodeInfo> nodes() throws IOException
    {
        final List<NodeInfo> nodes = new ArrayList<>();
        for (final String line : query(null, "NODES").split("\n"))
        {
            if (line.isBlank())
            {
                continue;
            }
            final String[] f = line.split("\t", -1);
            if (f.length < 3)
            {
                throw new IOException("NODES answered a malformed line '" + line + "' (expected id, address, state)");
            }
            nodes.add(new NodeInfo(f[0], f[1], f[2]));
        }
        return nodes;
    }

    @Override
    public void addNode(final String nodeId) throws IOException
    {
        command(null, "ADD_NODE", nodeId);
    }

    @Override
    public void removeNode(final String nodeId) throws IOException
    {
        command(null, "REMOVE_NODE", nodeId);
    }

    // ------------------------------------------------------------------ status and leadership

    @Override
    public List<ShardStatus> streamStatus(final String name) throws IOException
    {
        final StreamInfo info = metadata.describe(name);
        final List<ShardStatus> shards = new ArrayList<>();
        for (final StreamInfo.ShardInfo shard : info.shards())
        {
            shards.add(shardStatus(info.name(), shard));
        }
        return shards;
    }

    /**
     * Asks every replica for its role (Ratis group info) and its position (a stale read of STATUS
     * on that replica, so a lagging follower reports its own). Why not the client's leader after
     * a read: with linearizable reads a follower answers too (it gets a read index from the
     * leader), so the client's idea of the leader says who answered, not who leads.
     */
    private ShardStatus shardStatus(final String stream, final StreamInfo.ShardInfo shard)
    {
        if (!shard.isPlaced())
        {
            return new ShardStatus(stream, shard.shard(), null, -1, List.of());
        }
        try (RaftClient client = client(shard, 2))
        {
            final Map<String, CompletableFuture<RaftClientReply>> replies = new LinkedHashMap<>();
            for (final String peer : shard.replicas().keySet())
            {
                replies.put(peer, client.async().sendStaleRead(statusMessage(), 0, RaftPeerId.valueOf(peer)));
            }
            String leader = null;
            long leaderTerm = -1;
            for (final String peer : shard.replicas().keySet())
            {
                final long term = leaderTerm(client, shard, peer);
                if (term > leaderTerm)
                {
                    leader = peer;
                    leaderTerm = term;
                }
            }
            final Map<String, Object> answers = new LinkedHashMap<>();
            for (final Map.Entry<String, CompletableFuture<RaftClientReply>> entry : replies.entrySet())
            {
                answers.put(entry.getKey(), answer(entry.getValue()));
            }
            final ShardProtocol.ShardStatus leaderStatus = leader != null && answers.get(leader) instanceof
                ShardProtocol.ShardStatus status ? status : null;
            final List<ReplicaStatus> replicas = new ArrayList<>();
            for (final Map.Entry<String, Object> entry : answers.entrySet())
            {
                final String peer = entry.getKey();
                if (entry.getValue() instanceof ShardProtocol.ShardStatus status)
                {
                    replicas.add(new ReplicaStatus(peer, peer.equals(leader), status.firstOffset(), status.nextOffset(),
                        status.appliedIndex(), leaderStatus == null ? -1 : Math.max(0, leaderStatus.nextOffset()
                        - status.nextOffset()), leaderStatus == null ? -1 : Math.max(0, leaderStatus.appliedIndex()
                        - status.appliedIndex()), null, status.batchCount()));
                }
                else
                {
                    replicas.add(new ReplicaStatus(peer, peer.equals(leader), -1, -1, -1, -1, -1, (String)entry.getValue(), -1));
                }
            }
            return new ShardStatus(stream, shard.shard(), leader, leaderStatus == null ? -1 : leaderStatus.nextOffset(),
                List.copyOf(replicas));
        }
        catch (final IOException e)
        {
            throw new TributaryException("stream '" + stream + "' shard " + shard.shard() + ": closing its client: "
                + e.getMessage(), e);
        }
    }

    /** The term in which {@code peer} leads the shard's group, or -1 if it is not the leader (or does not answer). */
    private static long leaderTerm(final RaftClient client, final StreamInfo.ShardInfo shard, final String peer)
    {
        try
        {
            final GroupInfoReply info = client.getGroupManagementApi(RaftPeerId.valueOf(peer)).info(shard.groupId());
            final RaftProtos.RoleInfoProto role = info.getRoleInfoProto();
            return info.isSuccess() && role.getRole() == RaftProtos.RaftPeerRole.LEADER ? role.getLeaderInfo().getTerm() : -1;
        }
        catch (final IOException e)
        {
            return -1;
        }
    }

    /** A replica's STATUS, or the error text. */
    private Object answer(final CompletableFuture<RaftClientReply> reply)
    {
        try
        {
            final RaftClientReply answer = reply.get(requestTimeoutMs * 2, TimeUnit.MILLISECONDS);
            return answer.isSuccess() ? decodeStatus(answer) : String.valueOf(answer.getException());
        }
        catch (final ExecutionException | TimeoutException e)
        {
            return String.valueOf(ShardProducer.unwrap(e));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Override
    public ClusterStatus clusterStatus() throws IOException
    {
        final Map<String, List<ShardStatus>> streams = new LinkedHashMap<>();
        for (final StreamSummary stream : listStreams())
        {
            streams.put(stream.name(), streamStatus(stream.name()));
        }
        return new ClusterStatus(nodes(), streams);
    }

    @Override
    public void transferLeadership(final String stream, final int shard, final String newLeader, final Duration timeout)
        throws IOException
    {
        final StreamInfo info = metadata.describe(stream);
        if (shard < 0 || shard >= info.shardCount())
        {
            throw new IllegalArgumentException("stream '" + stream + "' has shards [0, " + info.shardCount() + "); shard "
                + shard + " does not exist");
        }
        final StreamInfo.ShardInfo placement = info.shard(shard);
        if (!placement.replicas().containsKey(newLeader))
        {
            throw new IllegalArgumentException("node '" + newLeader + "' holds no replica of stream '" + stream + "' shard "
                + shard + "; its replicas are " + placement.replicas().keySet());
        }
        try (RaftClient client = client(placement, 3))
        {
            final RaftClientReply reply = client.admin().transferLeadership(RaftPeerId.valueOf(newLeader), timeout.toMillis());
            if (!reply.isSuccess())
            {
                throw new TributaryException("stream '" + stream + "' shard " + shard + ": leadership did not move to "
                    + newLeader + " within " + timeout.toMillis() + " ms: " + reply.getException());
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private RaftClient client(final StreamInfo.ShardInfo shard, final int attempts)
    {
        return RaftSettings.newClient(RaftSettings.group(shard.groupId(), shard.replicas()), transport, requestTimeoutMs,
            RaftSettings.retryPolicy(attempts, 200));
    }

    private static Message statusMessage()
    {
        return Message.valueOf(UnsafeByteOperations.unsafeWrap(ShardProtocol.encodeStatus()));
    }

    private static ShardProtocol.ShardStatus decodeStatus(final RaftClientReply reply)
    {
        final byte[] bytes = reply.getMessage().getContent().toByteArray();
        return ShardProtocol.decodeStatusReply(new UnsafeBuffer(bytes), bytes.length);
    }

    private String command(final String stream, final String... fields) throws IOException
    {
        try
        {
            return metadata.client().command(fields);
        }
        catch (final MetadataClient.MetadataException e)
        {
            throw RatisMetadataView.translate(stream, e);
        }
    }

    private String query(final String stream, final String... fields) throws IOException
    {
        try
        {
            return metadata.client().query(fields);
        }
        catch (final MetadataClient.MetadataException e)
        {
            throw RatisMetadataView.translate(stream, e);
        }
    }

    @Override
    public void close() throws IOException
    {
        metadata.close();
    }
}
