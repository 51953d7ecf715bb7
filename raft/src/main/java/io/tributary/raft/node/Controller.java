package io.tributary.raft.node;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tributary.raft.meta.ClusterMetadata;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.meta.Placement;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on the metadata leader and moves the cluster towards the metadata: creates the groups
 * of new shards on their nodes, moves replicas by Ratis membership change (add the new peers,
 * let them catch up, then remove the old ones) one shard at a time so writes continue,
 * removes the groups of deleted streams, and forgets drained nodes. Each step is recorded in
 * the metadata only after it succeeded, so a new leader resumes where the old one stopped.
 */
final class Controller
{
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

    private final NodeConfig config;
    private final MetadataClient metadata;

    Controller(final NodeConfig config, final MetadataClient metadata)
    {
        this.config = config;
        this.metadata = metadata;
    }

    /** One pass; returns true if it changed something (the caller may run again soon). */
    boolean reconcile(final ClusterMetadata state) throws IOException
    {
        if (removeDeletedStreams(state))
        {
            return true;
        }
        final Map<Placement.ShardId, List<String>> target = state.targetPlacement();
        for (final Map.Entry<Placement.ShardId, List<String>> entry : target.entrySet())
        {
            final Placement.ShardId shard = entry.getKey();
            final List<String> current = state.replicasOf(shard.streamId(), shard.shard());
            final List<String> desired = entry.getValue();
            if (current.isEmpty())
            {
                createGroup(state, shard, desired);
                return true;
            }
            if (!new HashSet<>(current).equals(new HashSet<>(desired)))
            {
                move(state, shard, current, desired);
                return true;
            }
        }
        return forgetDrainedNodes(state);
    }

    private void createGroup(final ClusterMetadata state, final Placement.ShardId shard, final List<String> peers)
        throws IOException
    {
        final RaftGroup group = group(state, shard, peers);
        for (final RaftPeer peer : group.getPeers())
        {
            addGroupOn(peer, group);
        }
        metadata.command("SET_REPLICAS", ClusterMetadata.shardKey(shard.streamId(), shard.shard()), String.join(",", peers));
        LOG.info("created shard {} on {}", shard, peers);
    }

    private void move(final ClusterMetadata state, final Placement.ShardId shard, final List<String> current,
        final List<String> desired) throws IOException
    {
        final Set<String> union = new java.util.LinkedHashSet<>(current);
        union.addAll(desired);
        final RaftGroup unionGroup = group(state, shard, new ArrayList<>(union));
        for (final String added : desired)
        {
            if (!current.contains(added))
            {
                addGroupOn(peerOf(state, added), unionGroup);
            }
        }
        try (RaftClient client = client(group(state, shard, current)))
        {
            // Ratis adds the new peers as staging members, waits until they catch up, then commits.
            check(client.admin().setConfiguration(unionGroup.getPeers().stream().toList()), "add replicas of " + shard);
            handOverLeadership(client, shard, desired);
            check(client.admin().setConfiguration(group(state, shard, desired).getPeers().stream().toList()),
                "remove replicas of " + shard);
        }
        for (final String removed : current)
        {
            if (!desired.contains(removed))
            {
                removeGroupOn(peerOf(state, removed), ClusterMetadata.groupIdOf(shard.streamId(), shard.shard()));
            }
        }
        metadata.command("SET_REPLICAS", ClusterMetadata.shardKey(shard.streamId(), shard.shard()), String.join(",", desired));
        LOG.info("moved shard {} from {} to {}", shard, current, desired);
    }

    private boolean removeDeletedStreams(final ClusterMetadata state) throws IOException
    {
        for (final ClusterMetadata.Stream stream : state.streams().values())
        {
            if (!stream.deleting())
            {
                continue;
            }
            for (int shard = 0; shard < stream.shards(); shard++)
            {
                final RaftGroupId groupId = ClusterMetadata.groupIdOf(stream.id(), shard);
                for (final String peer : state.replicasOf(stream.id(), shard))
                {
                    removeGroupOn(peerOf(state, peer), groupId);
                }
            }
            metadata.command("STREAM_REMOVED", stream.name());
            LOG.info("removed stream {}", stream.name());
            return true;
        }
        return false;
    }

    private boolean forgetDrainedNodes(final ClusterMetadata state) throws IOException
    {
        for (final ClusterMetadata.Node node : state.nodes().values())
        {
            if (node.state() == ClusterMetadata.NodeState.DRAINING && holdsNothing(state, node.id()))
            {
                metadata.command("FORGET_NODE", node.id());
                return true;
            }
        }
        return false;
    }

    private static boolean holdsNothing(final ClusterMetadata state, final String nodeId)
    {
        for (final ClusterMetadata.Stream stream : state.streams().values())
        {
            for (int shard = 0; shard < stream.shards(); shard++)
            {
                if (state.replicasOf(stream.id(), shard).contains(nodeId))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private void addGroupOn(final RaftPeer peer, final RaftGroup group) throws IOException
    {
        try (RaftClient client = client(RaftGroup.valueOf(group.getGroupId(), peer)))
        {
            final RaftClientReply reply = client.getGroupManagementApi(peer.getId()).add(group);
            check(reply, "add group " + group.getGroupId() + " on " + peer.getId());
        }
        catch (final IOException e)
        {
            if (!String.valueOf(e.getMessage()).contains("already exists"))
            {
                throw e;
            }
        }
    }

    private void removeGroupOn(final RaftPeer peer, final RaftGroupId groupId) throws IOException
    {
        try (RaftClient client = client(RaftGroup.valueOf(groupId, peer)))
        {
            client.getGroupManagementApi(peer.getId()).remove(groupId, true, false);
        }
        catch (final IOException e)
        {
            if (!String.valueOf(e.getMessage()).contains("not found"))
            {
                throw e;
            }
        }
    }

    /**
     * A leader that commits a configuration without itself closes its division while holding the
     * division's lock, and Ratis (3.3) then waits up to a day for the division's client executor,
     * whose thread may be waiting for that same lock to append a write: the group stalls (seen in
     * RebalanceTest under continuous writes). So the leadership moves to a replica that stays
     * before the configuration drops the leader, as etcd's leader does before removing itself.
     * Best effort: if the transfer fails, the removal still goes ahead.
     */
    private void handOverLeadership(final RaftClient client, final Placement.ShardId shard, final List<String> desired)
    {
        try
        {
            final org.apache.ratis.protocol.GroupInfoReply info = client.getGroupManagementApi(client.getLeaderId())
                .info(client.getGroupId());
            final String leader = info.getRoleInfoProto().getSelf().getId().toStringUtf8();
            if (info.getRoleInfoProto().getRole() != org.apache.ratis.proto.RaftProtos.RaftPeerRole.LEADER || desired.contains(leader))
            {
                return;
            }
            final String next = desired.get(0);
            final RaftClientReply reply = client.admin().transferLeadership(org.apache.ratis.protocol.RaftPeerId.valueOf(next),
                config.electionTimeoutMaxMs * 5);
            LOG.info("shard {}: leadership {} from {} to {} before {} leaves the group", shard,
                reply.isSuccess() ? "moved" : "not moved (" + reply.getException() + ")", leader, next, leader);
        }
        catch (final IOException | RuntimeException e)
        {
            LOG.warn("shard {}: could not move the leadership before removing replicas ({}); removing them anyway", shard, e.toString());
        }
    }

    private static void check(final RaftClientReply reply, final String what) throws IOException
    {
        if (!reply.isSuccess())
        {
            throw new IOException(what + " failed: " + reply.getException());
        }
    }

    private RaftClient client(final RaftGroup group)
    {
        return RaftSettings.newClient(group, config.transport, config.requestTimeoutMs * 3, RaftSettings.retryPolicy(5, 500));
    }

    private static RaftGroup group(final ClusterMetadata state, final Placement.ShardId shard, final List<String> peers)
    {
        final Map<String, String> addresses = new LinkedHashMap<>();
        for (final String peer : peers)
        {
            addresses.put(peer, state.nodes().get(peer).address());
        }
        return RaftSettings.group(ClusterMetadata.groupIdOf(shard.streamId(), shard.shard()), addresses);
    }

    private static RaftPeer peerOf(final ClusterMetadata state, final String id)
    {
        final ClusterMetadata.Node node = state.nodes().get(id);
        if (node == null)
        {
            throw new IllegalStateException("metadata names node " + id + " but has no address for it");
        }
        return RaftSettings.peer(RaftPeerId.valueOf(id).toString(), node.address());
    }
}
