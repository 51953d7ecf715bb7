package io.tributary.client.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import io.tributary.protocol.access.Grant;
import io.tributary.protocol.access.Role;
import io.tributary.client.Admin;
import io.tributary.client.AdminConfig;
import io.tributary.client.TributaryException;
import io.tributary.protocol.AdminRequestDescriptor;
import io.tributary.protocol.AdminResponseDescriptor;
import io.tributary.protocol.FetchResponseDescriptor;

/**
 * The {@link Admin}: metadata commands and queries through any node's front end; a shard's
 * status from each replica's node (its role, term and position); leadership moves through the
 * shard's nodes.
 */
public final class AdminImpl implements Admin
{
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long PREFERRED_LEADERS_WAIT_NS = TimeUnit.SECONDS.toNanos(20);
    /** How long a preferred replica may hold no division (or not answer) before the wait passes it over. */
    private static final long PREFERRED_UNABLE_GRACE_NS = TimeUnit.SECONDS.toNanos(2);

    private final FrontEndClient client;
    private final NodeLinks links;
    private final long requestTimeoutMs;

    private AdminImpl(final AdminConfig config)
    {
        config.validate();
        this.client = FrontEndClient.connect(config);
        this.links = new NodeLinks(client);
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
    public long createStream(final String name, final int shards, final int replicationFactor,
        final long retentionBytes,
        final long retentionMs) throws IOException
    {
        final String id = command(name, "CREATE_STREAM", name, Integer.toString(shards),
            Integer.toString(replicationFactor),
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
                awaitPreferredLeaders(name, Math.min(deadlineNs, System.nanoTime() + PREFERRED_LEADERS_WAIT_NS));
                return;
            }
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new TributaryException("stream '" + name + "' is not ready after " + timeout.toMillis() + " ms: "
                    + missing);
            }
            LockSupport.parkNanos(this, POLL_NS);
            if (Thread.interrupted())
            {
                throw new InterruptedException("interrupted while waiting for stream '" + name + "'");
            }
        }
    }

    /**
     * The cluster moves each shard's leadership to its preferred replica (the first) within seconds of its
     * creation; a producer starting before that finds its first guesses wrong and its first batches resent. Waits
     * for it, but only so long: a cluster with the rebalance off still serves, and a shard whose preferred replica
     * holds no division (listed, but its division gone or not yet made) or does not answer is passed over once
     * that has lasted {@link #PREFERRED_UNABLE_GRACE_NS}: that replica cannot lead, so waiting for it only
     * delayed the caller by the whole wait.
     */
    private void awaitPreferredLeaders(final String name, final long deadlineNs) throws IOException,
        InterruptedException
    {
        final Map<Integer, Long> unableSinceNs = new HashMap<>();
        while (System.nanoTime() - deadlineNs < 0)
        {
            final StreamInfo info = describe(name);
            boolean preferred = true;
            for (final StreamInfo.ShardInfo shard : info.shards())
            {
                final Map.Entry<String, String> first = shard.replicas().entrySet().iterator().next();
                final Object role = await(client.adminAsync(first.getValue(), AdminRequestDescriptor.KIND_GROUP_INFO,
                    shard.groupId(), 0, ""));
                if (role instanceof FrontEndClient.AdminReply reply && reply.isOk())
                {
                    unableSinceNs.remove(shard.shard());
                    preferred &= reply.role() == FetchResponseDescriptor.ROLE_LEADER;
                }
                else
                {
                    final long nowNs = System.nanoTime();
                    final long sinceNs = unableSinceNs.computeIfAbsent(shard.shard(), key -> nowNs);
                    preferred &= nowNs - sinceNs >= PREFERRED_UNABLE_GRACE_NS;
                }
            }
            if (preferred)
            {
                return;
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
        final StreamInfo info = describe(name);
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
            final String problem = leaderAnswers(shard);
            if (problem != null)
            {
                return "shard " + shard.shard() + " " + problem;
            }
        }
        return null;
    }

    /**
     * Null when a linearizable position read of the shard succeeds (following NOT_LEADER hints and
     * moving past replicas that hold none), else why not: each replica asked and what it answered.
     */
    private String leaderAnswers(final StreamInfo.ShardInfo shard)
    {
        final ShardChannel channel = links.open(shard);
        final StringBuilder answers = new StringBuilder();
        for (int attempt = 0; attempt < shard.replicas().size() + 1; attempt++)
        {
            final String asked = channel.leader();
            final CompletableFuture<ReadOutcome> reply = channel.read(0, 0, 0, null, 0);
            links.flush();
            answers.append(answers.length() == 0 ? "" : "; ").append(asked).append(": ");
            try
            {
                final ReadOutcome outcome = reply.get(requestTimeoutMs * 2, TimeUnit.MILLISECONDS);
                if (outcome.isOk())
                {
                    return null;
                }
                answers.append(FetchResponseDescriptor.statusName(outcome.status()))
                    .append(outcome.text().isEmpty() ? "" : " (" + outcome.text() + ")");
            }
            catch (final ExecutionException | TimeoutException e)
            {
                answers.append("no answer (").append(ShardProducer.unwrap(e).getMessage()).append(')');
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return "has no leader that answers yet (replicas " + shard.replicas().keySet() + "; asked " + answers + ")";
    }

    @Override
    public StreamDescription describeStream(final String name) throws IOException
    {
        final StreamInfo info = describe(name);
        final List<ShardPlacement> placement = new ArrayList<>();
        for (final StreamInfo.ShardInfo shard : info.shards())
        {
            placement.add(new ShardPlacement(shard.shard(), shard.groupId().toString(), shard.replicas()));
        }
        return new StreamDescription(info.name(), info.id(), info.shardCount(), info.replicationFactor(),
            info.retentionBytes(), info.retentionMs(), List.copyOf(placement));
    }

    private StreamInfo describe(final String name) throws IOException
    {
        return StreamInfo.parse(name, query(name, "DESCRIBE", name));
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
    public String metadataLeader() throws IOException
    {
        final String leader = query(null, "LEADER").strip();
        return leader.isEmpty() ? null : leader;
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
        final StreamInfo info = describe(name);
        final List<ShardStatus> shards = new ArrayList<>();
        for (final StreamInfo.ShardInfo shard : info.shards())
        {
            shards.add(shardStatus(info.name(), shard));
        }
        return shards;
    }

    /**
     * Asks every replica's node for its role in the group (and term) and for its own position (a
     * follower read on that replica, so a lagging follower reports its own). The leader is the replica
     * that says it leads in the highest term.
     */
    private ShardStatus shardStatus(final String stream, final StreamInfo.ShardInfo shard)
    {
        if (!shard.isPlaced())
        {
            return new ShardStatus(stream, shard.shard(), null, -1, List.of());
        }
        final ShardChannel channel = links.open(shard);
        final Map<String, CompletableFuture<ReadOutcome>> positions = new LinkedHashMap<>();
        final Map<String, CompletableFuture<FrontEndClient.AdminReply>> roles = new LinkedHashMap<>();
        for (final Map.Entry<String, String> replica : shard.replicas().entrySet())
        {
            positions.put(replica.getKey(), channel.read(0, 0, 0, replica.getKey(), 0));
            roles.put(replica.getKey(), client.adminAsync(replica.getValue(), AdminRequestDescriptor.KIND_GROUP_INFO,
                shard.groupId(),
                0, ""));
        }
        links.flush();
        String leader = null;
        long leaderTerm = -1;
        final Map<String, Object> answers = new LinkedHashMap<>();
        for (final String peer : shard.replicas().keySet())
        {
            final Object role = await(roles.get(peer));
            if (role instanceof FrontEndClient.AdminReply reply && reply.isOk()
                && reply.role() == FetchResponseDescriptor.ROLE_LEADER && reply.term() > leaderTerm)
            {
                leader = peer;
                leaderTerm = reply.term();
            }
            answers.put(peer, await(positions.get(peer)));
        }
        final ReadOutcome leaderStatus = leader != null && answers.get(leader) instanceof ReadOutcome status
            && status.isOk() ? status : null;
        final List<ReplicaStatus> replicas = new ArrayList<>();
        for (final Map.Entry<String, Object> entry : answers.entrySet())
        {
            final String peer = entry.getKey();
            if (entry.getValue() instanceof ReadOutcome status && status.isOk())
            {
                replicas.add(new ReplicaStatus(peer, peer.equals(leader), status.firstOffset(), status.nextOffset(),
                    status.appliedIndex(), leaderStatus == null ? -1
                        : Math.max(0, leaderStatus.nextOffset() - status.nextOffset()),
                    leaderStatus == null ? -1 : Math.max(0, leaderStatus.appliedIndex() - status.appliedIndex()), null,
                    status.batchCount()));
            }
            else
            {
                final String error = entry.getValue() instanceof ReadOutcome status
                    ? FetchResponseDescriptor.statusName(status.status()) + ": " + status.text()
                        : String.valueOf(entry.getValue());
                replicas.add(new ReplicaStatus(peer, peer.equals(leader), -1, -1, -1, -1, -1, error, -1));
            }
        }
        return new ShardStatus(stream, shard.shard(), leader, leaderStatus == null ? -1 : leaderStatus.nextOffset(),
            List.copyOf(replicas));
    }

    /** The value, or the error's text. */
    private Object await(final CompletableFuture<?> future)
    {
        try
        {
            return future.get(requestTimeoutMs * 2, TimeUnit.MILLISECONDS);
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
        final StreamInfo info = describe(stream);
        if (shard < 0 || shard >= info.shardCount())
        {
            throw new IllegalArgumentException("stream '" + stream + "' has shards [0, " + info.shardCount()
                + "); shard " + shard + " does not exist");
        }
        final StreamInfo.ShardInfo placement = info.shard(shard);
        if (!placement.replicas().containsKey(newLeader))
        {
            throw new IllegalArgumentException("node '" + newLeader + "' holds no replica of stream '" + stream
                + "' shard " + shard + "; its replicas are " + placement.replicas().keySet());
        }
        String last = "no replica answered";
        for (final String address : transferOrder(placement))
        {
            final FrontEndClient.AdminReply reply;
            try
            {
                reply = client.admin(address, AdminRequestDescriptor.KIND_TRANSFER_LEADERSHIP, placement.groupId(),
                    timeout.toMillis(), newLeader);
            }
            catch (final IOException e)
            {
                last = e.getMessage();
                continue;
            }
            if (reply.status() == AdminResponseDescriptor.STATUS_OK)
            {
                return;
            }
            last = reply.text();
            if (reply.status() != AdminResponseDescriptor.STATUS_NOT_HOSTED)
            {
                break;
            }
        }
        throw new TributaryException("stream '" + stream + "' shard " + shard + ": leadership did not move to "
            + newLeader + " within " + timeout.toMillis() + " ms: " + last);
    }

    /**
     * The replicas' addresses in the order a leadership transfer is tried: the node that says it leads, then the
     * others that answered, then those that did not. Each is asked its role first, with the short request timeout,
     * because the transfer itself waits up to its own timeout (a minute, say) for an answer: a node restarted a
     * moment ago can drop the first request that reaches it before it has joined the sender's stream (see
     * transport.aeron.publication.connection.timeout.ms), and a transfer sent there waited out its whole timeout
     * before the next replica was tried (FaultSwitchDetectionTest, twice in clean CI runs). A node that has just
     * answered gets what is sent next.
     */
    private List<String> transferOrder(final StreamInfo.ShardInfo placement)
    {
        final Map<String, CompletableFuture<FrontEndClient.AdminReply>> roles = new LinkedHashMap<>();
        for (final String address : placement.replicas().values())
        {
            roles.put(address, client.adminAsync(address, AdminRequestDescriptor.KIND_GROUP_INFO, placement.groupId(),
                0, ""));
        }
        String leader = null;
        long leaderTerm = -1;
        final List<String> answered = new ArrayList<>();
        final List<String> silent = new ArrayList<>();
        for (final Map.Entry<String, CompletableFuture<FrontEndClient.AdminReply>> role : roles.entrySet())
        {
            if (await(role.getValue()) instanceof FrontEndClient.AdminReply reply && reply.isOk())
            {
                answered.add(role.getKey());
                if (reply.role() == FetchResponseDescriptor.ROLE_LEADER && reply.term() > leaderTerm)
                {
                    leader = role.getKey();
                    leaderTerm = reply.term();
                }
            }
            else
            {
                silent.add(role.getKey());
            }
        }
        final List<String> order = new ArrayList<>();
        if (leader != null)
        {
            order.add(leader);
        }
        for (final String address : answered)
        {
            if (!address.equals(leader))
            {
                order.add(address);
            }
        }
        order.addAll(silent);
        return order;
    }

    @Override
    public void grant(final String principal, final Role role, final String streams) throws IOException
    {
        final Grant grant = new Grant(principal, role, streams);
        command(null, "GRANT", grant.fields()[0], grant.fields()[1], grant.fields()[2]);
    }

    @Override
    public void revoke(final String principal, final Role role, final String streams) throws IOException
    {
        final Grant grant = new Grant(principal, role, streams);
        command(null, "REVOKE", grant.fields()[0], grant.fields()[1], grant.fields()[2]);
    }

    @Override
    public List<Grant> grants() throws IOException
    {
        final List<Grant> grants = new ArrayList<>();
        for (final String line : query(null, "GRANTS").split("\n"))
        {
            final String[] f = line.split("\t", -1);
            if (f.length == 3)
            {
                grants.add(Grant.parse(f[0], f[1], f[2]));
            }
        }
        return grants;
    }

    // ------------------------------------------------------------------ helpers

    private String command(final String stream, final String... fields) throws IOException
    {
        try
        {
            return client.metadataCommand(fields);
        }
        catch (final FrontEndClient.MetadataRefusedException e)
        {
            throw FrontEndMetadataView.translate(stream, e);
        }
    }

    private String query(final String stream, final String... fields) throws IOException
    {
        try
        {
            return client.metadataQuery(fields);
        }
        catch (final FrontEndClient.MetadataRefusedException e)
        {
            throw FrontEndMetadataView.translate(stream, e);
        }
    }

    @Override
    public void close()
    {
        client.close();
    }
}
