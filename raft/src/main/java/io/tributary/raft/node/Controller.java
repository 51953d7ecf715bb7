package io.tributary.raft.node;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.tributary.raft.meta.ClusterMetadata;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.meta.Placement;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.retry.RetryPolicies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on the metadata leader and moves the cluster towards the metadata: creates the groups
 * of new shards on their nodes, moves replicas by Ratis membership change (add the new peers,
 * let them catch up, then remove the old ones) one shard at a time so writes continue,
 * removes the groups of deleted streams, and forgets drained nodes. Each step is recorded in
 * the metadata only after it succeeded, so a new leader resumes where the old one stopped.
 * With nothing else to do, it moves shard leaderships back to their preferred replicas (the
 * first in placement order; {@link LeaderBalance} says when).
 */
final class Controller
{
    /** Transfers tried before a leader leaves its group, each bounded by the maximum election timeout. */
    static final int HAND_OVER_ATTEMPTS = 2;
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
    /** Runs a new group's adds on its other peers (daemon threads, gone when idle a minute). */
    private static final ExecutorService GROUP_ADDS = Executors.newCachedThreadPool(runnable ->
    {
        final Thread thread = new Thread(runnable, "controller-group-add");
        thread.setDaemon(true);
        return thread;
    });

    /** Leadership transfers in one pass at most, one at a time: a pass holds up the node's timer thread. */
    static final int TRANSFERS_PER_PASS_MAX = 16;
    /** Shards the membership audit looks at in one pass (one to four group-info calls each). */
    static final int AUDIT_SHARDS_PER_PASS_MAX = 32;

    private final NodeConfig config;
    private final MetadataClient metadata;
    /** Null when leader rebalancing is off ({@code leader.rebalance.interval.ms=0}). */
    private final LeaderBalance balance;
    /** How often the membership audit runs; 0 when off ({@code replica.audit.interval.ms=0}). */
    private final long auditIntervalNs;
    private long nextAuditNs;
    /**
     * Where the next audit pass starts in the list of shards (round robin, {@link #AUDIT_SHARDS_PER_PASS_MAX} a pass).
     */
    private int auditCursor;
    private int strayCursor;

    Controller(final NodeConfig config, final MetadataClient metadata)
    {
        this.config = config;
        this.metadata = metadata;
        this.balance = config.leaderRebalanceIntervalMs == 0 ? null
            : new LeaderBalance(TimeUnit.MILLISECONDS.toNanos(config.leaderRebalanceIntervalMs),
                config.electionTimeoutMinMs);
        this.auditIntervalNs = TimeUnit.MILLISECONDS.toNanos(config.replicaAuditIntervalMs);
        this.nextAuditNs = System.nanoTime() + auditIntervalNs;
    }

    /** One pass; returns true if it changed something (the caller may run again soon). */
    boolean reconcile(final ClusterMetadata state) throws IOException
    {
        if (removeDeletedStreams(state))
        {
            return true;
        }
        final Map<Placement.ShardId, List<String>> target = state.targetPlacement();
        // New shards first: a move that fails on every pass (a membership change Ratis refuses) must not keep a new
        // stream's shards from being created (seen in CI: a 2-replica audit shard's move refused as "changes a
        // majority set" on every pass, and a Jepsen stream's shard never placed).
        for (final Map.Entry<Placement.ShardId, List<String>> entry : target.entrySet())
        {
            final Placement.ShardId shard = entry.getKey();
            if (state.replicasOf(shard.streamId(), shard.shard()).isEmpty())
            {
                createGroup(state, shard, entry.getValue());
                return true;
            }
        }
        for (final Map.Entry<Placement.ShardId, List<String>> entry : target.entrySet())
        {
            final Placement.ShardId shard = entry.getKey();
            final List<String> current = state.replicasOf(shard.streamId(), shard.shard());
            final List<String> desired = entry.getValue();
            if (!new HashSet<>(current).equals(new HashSet<>(desired)))
            {
                move(state, shard, current, desired);
                return true;
            }
            if (!current.equals(desired))
            {
                // Same replicas in another order: the preferred leader (the first) changed. Metadata only.
                metadata.command("SET_REPLICAS", ClusterMetadata.shardKey(shard.streamId(), shard.shard()),
                    String.join(",", desired));
                LOG.info("shard {}: preferred leader now {} (replicas {}, were {})", shard, desired.get(0), desired,
                    current);
                return true;
            }
        }
        if (forgetDrainedNodes(state))
        {
            return true;
        }
        if (auditIntervalNs != 0 && System.nanoTime() - nextAuditNs >= 0)
        {
            nextAuditNs = System.nanoTime() + auditIntervalNs;
            if (auditMembership(state, target))
            {
                return true;
            }
        }
        if (balance != null)
        {
            balanceLeaders(state, System.nanoTime());
        }
        return false;
    }

    private void createGroup(final ClusterMetadata state, final Placement.ShardId shard, final List<String> peers)
        throws IOException
    {
        addGroupOnAll(group(state, shard, peers));
        metadata.command("SET_REPLICAS", ClusterMetadata.shardKey(shard.streamId(), shard.shard()),
            String.join(",", peers));
        LOG.info("created shard {} on {}", shard, peers);
        if (balance != null)
        {
            // Ratis elects whichever replica's timer fires first: look again once the first election is over.
            balance.passNoLaterThan(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.electionTimeoutMaxMs * 2));
        }
    }

    /**
     * Moves a shard from the replicas the metadata lists to the desired ones. Starts from the
     * group's actual Raft membership when its leader answers: a move interrupted after its Raft steps
     * (the metadata record failed, or a removed node was down) left the metadata behind the group,
     * and replaying the steps from the metadata's list would add back a node that no longer holds
     * the group, whose catch-up never ends.
     */
    private void move(final ClusterMetadata state, final Placement.ShardId shard, final List<String> current,
        final List<String> desired) throws IOException
    {
        final Set<String> candidates = new LinkedHashSet<>(current);
        candidates.addAll(desired);
        final Map<String, RaftClient> clients = new HashMap<>();
        final Membership membership;
        try
        {
            membership = observeMembership(state, shard, new ArrayList<>(candidates), new HashSet<>(), clients);
        }
        finally
        {
            clients.values().forEach(Controller::closeQuietly);
        }
        changeMembership(state, shard, membership.leader(), membership.leaderPeers() != null ? membership.leaderPeers()
            : current, desired, membership.missing(), current);
    }

    /**
     * The Raft steps of a membership change, then the metadata record, then the clean-up: creates
     * the group on each desired node that lacks it, adds them (Ratis stages new peers until they
     * caught up), hands the leadership to a staying replica, removes the others, records the
     * desired replicas, and last removes the group from the nodes that left. The record comes
     * before the clean-up, and a clean-up that fails (the node is down) is only logged: the group
     * no longer counts that node, and the membership audit removes the copy it kept once it is back
     * ({@link #removeStrayGroups}).
     */
    private void changeMembership(final ClusterMetadata state, final Placement.ShardId shard, final String leader,
        final List<String> current, final List<String> desired, final Set<String> missing, final List<String> recorded)
        throws IOException
    {
        List<String> members = current;
        final List<String> forgotten = members.stream().filter(missing::contains).toList();
        if (!forgotten.isEmpty())
        {
            // A member that lost its copy of the group lost its term and its vote with it, and Raft's safety rests on a
            // voter never voting twice in a term: it leaves the configuration first and rejoins as a new peer, staged
            // by Ratis until it has caught up (etcd's remove-then-add for a member whose data is gone).
            members = current.stream().filter(id -> !missing.contains(id)).toList();
            // Sent to the leader: a Ratis client that first asks the member without a copy fails with "group not
            // found".
            try (RaftClient client = client(group(state, shard, members), leader))
            {
                check(client.admin().setConfiguration(group(state, shard, members).getPeers().stream().toList()),
                    "remove " + forgotten + ", which lost its copy, from " + shard);
            }
            LOG.warn("shard {}: {} lost its copy of the group; out of the configuration ({} remain) until it rejoins",
                shard,
                forgotten, members);
        }
        final Set<String> union = new LinkedHashSet<>(members);
        union.addAll(desired);
        final RaftGroup unionGroup = group(state, shard, new ArrayList<>(union));
        for (final String added : desired)
        {
            if (!members.contains(added))
            {
                addGroupOn(peerOf(state, added), unionGroup);
            }
        }
        try (RaftClient client = client(unionGroup, leader))
        {
            // Ratis adds the new peers as staging members, waits until they catch up, then commits; a step adds fewer
            // peers than the group keeps, or Ratis refuses it (MembershipSteps).
            for (final List<String> step : MembershipSteps.additions(members, desired))
            {
                check(client.admin().setConfiguration(group(state, shard, step).getPeers().stream().toList()),
                    "add replicas of " + shard + " (members " + step + ")");
            }
            handOverLeadership(client, shard, desired);
            check(client.admin().setConfiguration(group(state, shard, desired).getPeers().stream().toList()),
                "remove replicas of " + shard);
        }
        if (!recorded.equals(desired))
        {
            metadata.command("SET_REPLICAS", ClusterMetadata.shardKey(shard.streamId(), shard.shard()),
                String.join(",", desired));
        }
        LOG.info("shard {}: members {} -> {} (the metadata listed {}{})", shard, current, desired, recorded,
            forgotten.isEmpty() ? "" : "; " + forgotten + " rejoined with a new copy");
        final Set<String> leaving = new LinkedHashSet<>(members);
        leaving.addAll(recorded);
        leaving.removeAll(desired);
        for (final String removed : leaving)
        {
            try
            {
                removeGroupOn(peerOf(state, removed), ClusterMetadata.groupIdOf(shard.streamId(), shard.shard()));
            }
            catch (final IOException | RuntimeException e)
            {
                LOG.warn("shard {}: {} left the group but its copy was not removed ({}); the membership audit removes "
                    + "it" + " once the node answers", shard, removed, e.toString());
            }
        }
    }

    /** What a shard's replicas say of its group: its leader's members (null if no leader answered) and who lacks it. */
    private record Membership(String leader, List<String> leaderPeers, boolean changing, Set<String> missing)
    {
    }

    /**
     * Asks each of {@code nodes} for its info on the shard's group (and the leader it names, if not
     * among them). Nodes that do not answer are left out and added to {@code unreachable}, which the
     * caller keeps for a pass; a node that answers that it holds no such group is {@code missing}.
     */
    private Membership observeMembership(final ClusterMetadata state, final Placement.ShardId shard,
        final List<String> nodes,
        final Set<String> unreachable, final Map<String, RaftClient> clients)
    {
        final RaftGroupId groupId = ClusterMetadata.groupIdOf(shard.streamId(), shard.shard());
        final Set<String> missing = new LinkedHashSet<>();
        final List<String> asked = new ArrayList<>(nodes);
        List<String> leaderPeers = null;
        String leader = null;
        boolean changing = false;
        for (int i = 0; i < asked.size(); i++)
        {
            final String node = asked.get(i);
            if (!state.nodes().containsKey(node) || unreachable.contains(node))
            {
                continue;
            }
            final GroupInfoReply info;
            try
            {
                // One client per node for the pass: group info names its group, so any group's client asks for any.
                final RaftClient client = clients.computeIfAbsent(node, id -> RaftSettings.newClient(
                    RaftGroup.valueOf(groupId, peerOf(state, id)), config.transport, config.tls,
                    config.electionTimeoutMaxMs,
                    RetryPolicies.noRetry()));
                info = client.getGroupManagementApi(RaftPeerId.valueOf(node)).info(groupId);
            }
            catch (final IOException | RuntimeException e)
            {
                if (isGroupMissing(e))
                {
                    missing.add(node);
                }
                else
                {
                    unreachable.add(node); // one timeout per pass for a node that is down, not one per shard
                }
                continue;
            }
            if (!info.isSuccess())
            {
                if (isGroupMissing(info.getException()))
                {
                    missing.add(node);
                }
                continue;
            }
            final RaftProtos.RoleInfoProto role = info.getRoleInfoProto();
            if (role.getRole() == RaftProtos.RaftPeerRole.LEADER && info.getConf().isPresent())
            {
                final RaftProtos.RaftConfigurationProto conf = info.getConf().get();
                changing = conf.getOldPeersCount() > 0;
                final List<String> peers = new ArrayList<>();
                conf.getPeersList().forEach(p -> peers.add(p.getId().toStringUtf8()));
                // Listeners and staging peers are not members; Ratis lists only voting peers here.
                leaderPeers = peers;
                leader = node;
            }
            else if (role.getRole() == RaftProtos.RaftPeerRole.FOLLOWER && role.getFollowerInfo().hasLeaderInfo())
            {
                final String named = role.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8();
                if (!asked.contains(named))
                {
                    asked.add(named);
                }
            }
        }
        return new Membership(leader, leaderPeers, changing, missing);
    }

    private static boolean isGroupMissing(final Throwable error)
    {
        for (Throwable t = error; t != null; t = t.getCause())
        {
            if (t instanceof GroupMismatchException)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks that each shard's Raft group is what the metadata lists (a slice of the shards a pass):
     * every listed node holds the group and the leader's members are exactly the listed nodes. A
     * move interrupted between its Raft steps and its record, a division removed by hand, or one
     * lost with its disk, leave them apart, and nothing else would bring them back: the shard runs
     * a replica short, or led by a node no client knows of (CI's Jepsen run: "shard 2 has no leader
     * yet: NOT_HOSTED", its preferred replica holding no division). Repaired toward the metadata,
     * which holds the placement the operator asked for, with the same steps as a move. Returns
     * true if it repaired a shard.
     */
    private boolean auditMembership(final ClusterMetadata state, final Map<Placement.ShardId, List<String>> target)
        throws IOException
    {
        final List<Placement.ShardId> shards = new ArrayList<>(target.keySet());
        if (shards.isEmpty())
        {
            return false;
        }
        final Set<String> unreachable = new HashSet<>();
        final Map<String, RaftClient> clients = new HashMap<>();
        try
        {
            return auditSlice(state, target, shards, unreachable, clients) || removeStrayGroups(state, target, clients);
        }
        finally
        {
            clients.values().forEach(Controller::closeQuietly);
        }
    }

    private boolean auditSlice(final ClusterMetadata state, final Map<Placement.ShardId, List<String>> target,
        final List<Placement.ShardId> shards, final Set<String> unreachable, final Map<String, RaftClient> clients)
        throws IOException
    {
        for (int n = 0; n < Math.min(AUDIT_SHARDS_PER_PASS_MAX, shards.size()); n++)
        {
            final Placement.ShardId shard = shards.get(Math.floorMod(auditCursor++, shards.size()));
            final List<String> listed = state.replicasOf(shard.streamId(), shard.shard());
            if (listed.isEmpty() || !listed.equals(target.get(shard)))
            {
                continue; // being created or moved: reconcile's own steps handle it
            }
            final Membership membership = observeMembership(state, shard, listed, unreachable, clients);
            final boolean membersDiffer = membership.leaderPeers() != null
                && !new HashSet<>(membership.leaderPeers()).equals(new HashSet<>(listed));
            if (membership.changing() || (membership.missing().isEmpty() && !membersDiffer))
            {
                continue;
            }
            if (membership.leaderPeers() == null)
            {
                // No leader answered (an election, or the leader is down): the repair needs one; look again next pass.
                LOG.info("shard {}: {} hold no copy of the group and no leader answers; audited again next pass", shard,
                    membership.missing());
                continue;
            }
            LOG.warn("shard {}: the metadata lists {} but the group's leader has members {} and {} hold no copy of it;"
                + " repairing toward the metadata", shard, listed, membership.leaderPeers(), membership.missing());
            changeMembership(state, shard, membership.leader(), membership.leaderPeers(), listed, membership.missing(),
                listed);
            return true;
        }
        return false;
    }

    /**
     * Removes, from one node a pass (round robin), the groups of shards the metadata does not list
     * it for: a copy left by a move whose clean-up found the node down. Ratis closes such a division
     * when the group's members refuse its votes, and the node would restart it from its storage
     * every few seconds, forever. Only for shards that are not being moved.
     */
    private boolean removeStrayGroups(final ClusterMetadata state, final Map<Placement.ShardId, List<String>> target,
        final Map<String, RaftClient> clients) throws IOException
    {
        final List<ClusterMetadata.Node> nodes = new ArrayList<>(state.nodes().values());
        if (nodes.isEmpty())
        {
            return false;
        }
        final ClusterMetadata.Node node = nodes.get(Math.floorMod(strayCursor++, nodes.size()));
        if (node.state() != ClusterMetadata.NodeState.ACTIVE && node.state() != ClusterMetadata.NodeState.DRAINING)
        {
            return false;
        }
        final Map<RaftGroupId, Placement.ShardId> shardOfGroup = new HashMap<>();
        target.keySet().forEach(shard ->
            shardOfGroup.put(ClusterMetadata.groupIdOf(shard.streamId(), shard.shard()), shard));
        final List<RaftGroupId> hosted;
        try
        {
            final RaftClient client = clients.computeIfAbsent(node.id(), id -> RaftSettings.newClient(
                RaftGroup.valueOf(RaftGroupId.randomId(), peerOf(state, id)), config.transport, config.tls,
                    config.electionTimeoutMaxMs,
                RetryPolicies.noRetry()));
            hosted = client.getGroupManagementApi(RaftPeerId.valueOf(node.id())).list().getGroupIds();
        }
        catch (final IOException | RuntimeException e)
        {
            return false; // down or slow: another pass
        }
        for (final RaftGroupId groupId : hosted)
        {
            final Placement.ShardId shard = shardOfGroup.get(groupId);
            if (shard == null)
            {
                continue; // the metadata group, or a stream being created or deleted (reconcile's own steps)
            }
            final List<String> listed = state.replicasOf(shard.streamId(), shard.shard());
            if (!listed.isEmpty() && listed.equals(target.get(shard)) && !listed.contains(node.id()))
            {
                LOG.warn("shard {}: node {} holds a copy of the group but is not among its replicas {}; removing it",
                    shard,
                    node.id(), listed);
                removeGroupOn(peerOf(state, node.id()), groupId);
                return true;
            }
        }
        return false;
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

    /**
     * Adds the group on each of its peers, all at once: each add makes a division (folders, a formatted storage, a
     * synced file) and took 0.1-0.3 s on an idle machine and 1-3 s on a loaded one, so one after another they made
     * a new stream wait that long per shard and replica (a 5-node Jepsen setup in CI waited over 15 s for 3 shards).
     */
    private void addGroupOnAll(final RaftGroup group) throws IOException
    {
        final List<RaftPeer> peers = new ArrayList<>(group.getPeers());
        final List<CompletableFuture<Void>> others = new ArrayList<>();
        for (final RaftPeer peer : peers.subList(1, peers.size()))
        {
            others.add(CompletableFuture.runAsync(() ->
            {
                try
                {
                    addGroupOn(peer, group);
                }
                catch (final IOException e)
                {
                    throw new CompletionException(e);
                }
            }, GROUP_ADDS));
        }
        IOException failure = null;
        try
        {
            addGroupOn(peers.get(0), group);
        }
        catch (final IOException e)
        {
            failure = e;
        }
        for (final CompletableFuture<Void> other : others)
        {
            try
            {
                other.join();
            }
            catch (final CompletionException e)
            {
                final Throwable cause = e.getCause() == null ? e : e.getCause();
                if (failure == null)
                {
                    failure = cause instanceof IOException io ? io : new IOException(cause.toString(), cause);
                }
                else
                {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
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
     * A preferred-leader pass (when due): for each shard whose preferred replica is not the leader,
     * asks the preferred replica and the leader for their group info and, if the preferred one is
     * a healthy, caught-up member outside any membership change, moves the leadership to it. A
     * node that does not answer is skipped for the rest of the pass, so a dead node costs one
     * timeout per pass, not one per shard.
     */
    private void balanceLeaders(final ClusterMetadata state, final long nowNs)
    {
        if (!balance.startPass(nowNs))
        {
            return;
        }
        final Set<String> shardKeys = new HashSet<>();
        final Set<String> unreachable = new HashSet<>();
        final Map<String, RaftClient> clients = new HashMap<>();
        int transfers = 0;
        try
        {
            for (final ClusterMetadata.Stream stream : state.streams().values())
            {
                if (stream.deleting())
                {
                    continue;
                }
                for (int shard = 0; shard < stream.shards(); shard++)
                {
                    final String key = ClusterMetadata.shardKey(stream.id(), shard);
                    shardKeys.add(key);
                    final List<String> replicas = state.replicasOf(stream.id(), shard);
                    if (replicas.size() < 2 || transfers >= TRANSFERS_PER_PASS_MAX || !balance.mayTransfer(key, nowNs))
                    {
                        continue;
                    }
                    final String preferred = replicas.get(0);
                    final ClusterMetadata.Node node = state.nodes().get(preferred);
                    final boolean active = node != null && node.state() == ClusterMetadata.NodeState.ACTIVE;
                    final LeaderBalance.GroupView view = active && !unreachable.contains(preferred)
                        ? observe(state, stream.id(), shard, preferred, clients, unreachable) : null;
                    final LeaderBalance.Verdict verdict = view == null && active
                        ? LeaderBalance.Verdict.PREFERRED_UNREACHABLE : balance.decide(active, view);
                    if (verdict == LeaderBalance.Verdict.TRANSFER)
                    {
                        transfers++;
                        balance.transferred(key, nowNs, transfer(state, stream, shard, view, preferred));
                    }
                    else if (verdict == LeaderBalance.Verdict.BALANCED)
                    {
                        if (balance.settled(key))
                        {
                            LOG.info("shard {} of stream {}: leadership moved -> {} (preferred; seen after the "
                                + "transfer's" + " reply had failed)", shard, stream.name(), preferred);
                        }
                    }
                    else
                    {
                        LOG.debug("shard {} of stream {}: leadership stays ({}, preferred {})", shard, stream.name(),
                            verdict,
                            preferred);
                    }
                }
            }
        }
        finally
        {
            clients.values().forEach(Controller::closeQuietly);
        }
        balance.retain(shardKeys);
    }

    /** The preferred replica's and the leader's group info as a view; null if the preferred one did not answer. */
    private LeaderBalance.GroupView observe(final ClusterMetadata state, final long streamId, final int shard,
        final String preferred, final Map<String, RaftClient> clients, final Set<String> unreachable)
    {
        final RaftGroupId groupId = ClusterMetadata.groupIdOf(streamId, shard);
        final GroupInfoReply mine = groupInfo(state, preferred, groupId, clients, unreachable);
        if (mine == null)
        {
            return null;
        }
        final RaftProtos.RoleInfoProto role = mine.getRoleInfoProto();
        if (role.getRole() == RaftProtos.RaftPeerRole.LEADER)
        {
            return new LeaderBalance.GroupView(true, true, preferred, true, false, true, -1, -1, -1, -1, -1, -1,
                -1, -1);
        }
        final String leader = role.getRole() == RaftProtos.RaftPeerRole.FOLLOWER && role.getFollowerInfo()
            .hasLeaderInfo() ? role.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8() : "";
        final GroupInfoReply theirs = leader.isEmpty() || unreachable.contains(leader) || !state.nodes()
            .containsKey(leader) ? null : groupInfo(state, leader, groupId, clients, unreachable);
        if (theirs == null || theirs.getRoleInfoProto().getRole() != RaftProtos.RaftPeerRole.LEADER)
        {
            return new LeaderBalance.GroupView(true, false, leader.isEmpty() ? null : leader, false, false, false, -1,
                -1, -1,
                -1, -1, -1, -1, -1);
        }
        final RaftProtos.RaftConfigurationProto conf = theirs.getConf().orElse(null);
        final boolean changing = conf == null || conf.getOldPeersCount() > 0;
        final boolean member = conf != null && conf.getPeersList().stream()
            .anyMatch(p -> p.getId().toStringUtf8().equals(preferred));
        final long preferredCommit = theirs.getCommitInfos().stream()
            .filter(c -> c.getServer().getId().toStringUtf8().equals(preferred))
            .mapToLong(RaftProtos.CommitInfoProto::getCommitIndex).findFirst().orElse(-1);
        final long silenceMs = theirs.getRoleInfoProto().getLeaderInfo().getFollowerInfoList().stream()
            .filter(f -> f.getId().getId().toStringUtf8().equals(preferred))
            .mapToLong(RaftProtos.ServerRpcProto::getLastRpcElapsedTimeMs).findFirst().orElse(-1);
        return new LeaderBalance.GroupView(true, false, leader, true, changing, member,
            theirs.getLogInfoProto().getCommitted().getIndex(), preferredCommit, silenceMs, lastIndex(mine),
                lastIndex(theirs),
            mine.getLogInfoProto().hasApplied() ? mine.getLogInfoProto().getApplied().getIndex() : -1,
            role.getRole() == RaftProtos.RaftPeerRole.FOLLOWER ? role.getRoleElapsedTimeMs() : -1,
            theirs.getRoleInfoProto().getRoleElapsedTimeMs());
    }

    private static long lastIndex(final GroupInfoReply info)
    {
        return info.getLogInfoProto().hasLastEntry() ? info.getLogInfoProto().getLastEntry().getIndex() : -1;
    }

    /** A node's info on a group, or null (and the node marked unreachable for this pass) if it did not answer. */
    private GroupInfoReply groupInfo(final ClusterMetadata state, final String nodeId, final RaftGroupId groupId,
        final Map<String, RaftClient> clients, final Set<String> unreachable)
    {
        try
        {
            final RaftClient client = clients.computeIfAbsent(nodeId, id -> RaftSettings.newClient(
                RaftGroup.valueOf(groupId, peerOf(state, id)), config.transport, config.tls,
                    config.electionTimeoutMaxMs,
                RetryPolicies.noRetry()));
            final GroupInfoReply reply = client.getGroupManagementApi(RaftPeerId.valueOf(nodeId)).info(groupId);
            if (reply.isSuccess())
            {
                return reply;
            }
            LOG.debug("group info of {} on {}: {}", groupId, nodeId, reply.getException());
            return null;
        }
        catch (final IOException | RuntimeException e)
        {
            unreachable.add(nodeId);
            LOG.debug("node {} did not answer group info of {} ({}); skipping it this pass", nodeId, groupId,
                e.toString());
            return null;
        }
    }

    /**
     * Ratis blocks the shard's writes while it waits for the target to have its last entry, so the
     * wait is short (Ratis's own choice for a priority transfer: the minimum election timeout); a
     * transfer that times out is tried again later (LeaderBalance backs off). Returns true if Ratis
     * confirmed the move; false may still have moved it (a late reply), which the next pass sees.
     */
    private boolean transfer(final ClusterMetadata state, final ClusterMetadata.Stream stream, final int shard,
        final LeaderBalance.GroupView view, final String preferred)
    {
        final String leader = view.leader();
        final Placement.ShardId id = new Placement.ShardId(stream.id(), shard);
        String failure;
        // Sent to the leader we just asked: a Ratis group keeps its peers unordered, so a client's own first guess is
        // arbitrary.
        try (RaftClient client = RaftClient.newBuilder()
            .setRaftGroup(group(state, id, state.replicasOf(stream.id(), shard)))
            .setLeaderId(RaftPeerId.valueOf(leader))
                .setProperties(RaftSettings.client(config.transport, config.tls, config.requestTimeoutMs))
            .setRetryPolicy(RetryPolicies.noRetry()).build())
        {
            final RaftClientReply reply = client.admin().transferLeadership(RaftPeerId.valueOf(preferred),
                config.electionTimeoutMinMs);
            failure = reply.isSuccess() ? null : String.valueOf(reply.getException());
        }
        catch (final IOException | RuntimeException e)
        {
            failure = e.toString();
        }
        if (failure == null)
        {
            LOG.info("shard {} of stream {}: leadership moved {} -> {} (preferred)", shard, stream.name(), leader,
                preferred);
            return true;
        }
        LOG.info("shard {} of stream {}: leadership not moved {} -> {} (preferred; its commit index {}, the leader's "
            + "{}; its" + " last entry {}, the leader's {}; heard from {} ms before), will retry: {}", shard,
            stream.name(), leader, preferred, view.preferredCommitIndex(), view.leaderCommitIndex(),
            view.preferredLastIndex(), view.leaderLastIndex(), view.preferredSilenceMs(), failure);
        return false;
    }

    private static void closeQuietly(final RaftClient client)
    {
        try
        {
            client.close();
        }
        catch (final IOException e)
        {
            LOG.debug("closing a group-info client: {}", e.toString());
        }
    }

    /**
     * A leader that commits a configuration without itself closes its division while holding the
     * division's lock, and Ratis (3.3) then waits up to a day for the division's client executor,
     * whose thread may be waiting for that same lock to append a write: the group stalls (seen in
     * RebalanceTest under continuous writes). So the leadership moves to a replica that stays
     * before the configuration drops the leader, as etcd's leader does before removing itself.
     * Ratis refuses every write while a transfer is pending ("is stepping down"), for as long as
     * the transfer's timeout if the transferee does not win: each attempt is therefore bounded by
     * the maximum election timeout, the staying replicas are tried most up to date first (the one
     * with the highest commit index wins its election soonest), and at most
     * {@link #HAND_OVER_ATTEMPTS} are tried. Best effort: if every transfer fails, the removal
     * still goes ahead.
     */
    private void handOverLeadership(final RaftClient client, final Placement.ShardId shard, final List<String> desired)
    {
        final Set<String> tried = new HashSet<>();
        try
        {
            for (int attempt = 0; attempt < HAND_OVER_ATTEMPTS; attempt++)
            {
                // Asked again before each attempt: a transfer that timed out may still have moved the leadership since.
                final GroupInfoReply info = client.getGroupManagementApi(client.getLeaderId())
                    .info(client.getGroupId());
                final String leader = info.getRoleInfoProto().getSelf().getId().toStringUtf8();
                if (info.getRoleInfoProto().getRole() != RaftProtos.RaftPeerRole.LEADER
                    || desired.contains(leader))
                {
                    return;
                }
                final Map<String, Long> commitIndex = new HashMap<>();
                info.getCommitInfos().forEach(c ->
                    commitIndex.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex()));
                final String next = desired.stream().filter(id -> !tried.contains(id))
                    .max(Comparator.comparingLong(id -> commitIndex.getOrDefault(id, -1L))).orElse(null);
                if (next == null)
                {
                    return;
                }
                tried.add(next);
                final long startNs = System.nanoTime();
                final RaftClientReply reply = client.admin().transferLeadership(RaftPeerId.valueOf(next),
                    config.electionTimeoutMaxMs);
                LOG.info("shard {}: leadership {} from {} to {} (commit index {}) before {} leaves the group, in {} ms",
                    shard,
                    reply.isSuccess() ? "moved" : "not moved (" + reply.getException() + ")", leader, next,
                    commitIndex.getOrDefault(next, -1L), leader,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
                if (reply.isSuccess())
                {
                    return;
                }
            }
        }
        catch (final IOException | RuntimeException e)
        {
            LOG.warn("shard {}: could not move the leadership before removing replicas ({}); removing them anyway",
                shard, e.toString());
        }
    }

    static void check(final RaftClientReply reply, final String what) throws IOException
    {
        if (!reply.isSuccess())
        {
            throw new IOException(what + " failed: " + reply.getException());
        }
    }

    /** A client of the group that sends first to {@code leader} when known (it may have moved since: Ratis follows). */
    private RaftClient client(final RaftGroup group, final String leader)
    {
        if (leader == null || group.getPeer(RaftPeerId.valueOf(leader)) == null)
        {
            return client(group);
        }
        return RaftClient.newBuilder().setRaftGroup(group).setLeaderId(RaftPeerId.valueOf(leader))
            .setProperties(RaftSettings.client(config.transport, config.tls, config.requestTimeoutMs * 3))
            .setRetryPolicy(RaftSettings.retryPolicy(5, 500)).build();
    }

    private RaftClient client(final RaftGroup group)
    {
        return RaftSettings.newClient(group, config.transport, config.tls, config.requestTimeoutMs * 3,
            RaftSettings.retryPolicy(5, 500));
    }

    private static RaftGroup group(final ClusterMetadata state, final Placement.ShardId shard, final List<String> peers)
    {
        final Map<String, String> addresses = new LinkedHashMap<>();
        for (final String peer : peers)
        {
            final ClusterMetadata.Node node = state.nodes().get(peer);
            if (node != null) // a member the metadata forgot (a drained node a move could not reach) is left out
            {
                addresses.put(peer, node.address());
            }
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
