package io.tributary.raft.frontend;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.StateMachine;

import io.tributary.raft.shard.ShardStateMachine;

/**
 * The shards this node hosts, by Raft group id, for the front end: a lookup per request item
 * that allocates nothing once a shard is known. A handle whose division closed is dropped and
 * looked up again (a replica may come back under the same group).
 */
final class ShardDirectory
{
    private final RaftServer server;
    private final ShardAppender.Factory appenders;
    private final LongPolls longPolls;
    private final Map<Long, Map<Long, ShardHandle>> byGroup = new ConcurrentHashMap<>();

    ShardDirectory(final RaftServer server, final ShardAppender.Factory appenders, final LongPolls longPolls)
    {
        this.server = server;
        this.appenders = appenders;
        this.longPolls = longPolls;
    }

    /** The shard with this group id if this node hosts a live replica of it, else null. */
    ShardHandle find(final long groupMsb, final long groupLsb)
    {
        final Map<Long, ShardHandle> byLsb = byGroup.get(groupMsb);
        ShardHandle handle = byLsb == null ? null : byLsb.get(groupLsb);
        if (handle != null && handle.isAlive())
        {
            return handle;
        }
        if (handle != null)
        {
            byLsb.remove(groupLsb, handle);
            handle.appender.close("the replica was closed on this node (moved away or the stream deleted)");
        }
        handle = lookUp(groupMsb, groupLsb);
        if (handle != null)
        {
            final ShardHandle created = handle;
            final ShardHandle raced = byGroup.computeIfAbsent(groupMsb, k -> new ConcurrentHashMap<>())
                .putIfAbsent(groupLsb, created);
            if (raced != null)
            {
                created.appender.close("a duplicate handle");
                return raced;
            }
        }
        return handle;
    }

    private ShardHandle lookUp(final long groupMsb, final long groupLsb)
    {
        final RaftGroupId groupId = RaftGroupId.valueOf(new UUID(groupMsb, groupLsb));
        try
        {
            final RaftServer.Division division = server.getDivision(groupId);
            final StateMachine stateMachine = division.getStateMachine();
            if (!(stateMachine instanceof ShardStateMachine shard) || shard.log() == null || !division.getInfo()
                .isAlive())
            {
                return null;
            }
            final ShardHandle handle = new ShardHandle(groupId, division, shard, appenders, longPolls);
            shard.applyListener(() -> longPolls.onApplied(handle));
            return handle;
        }
        catch (final IOException | RuntimeException e)
        {
            return null;
        }
    }

    /**
     * Why {@link #find} found no live replica here, for the NOT_HOSTED answer (failure path only): no
     * Raft division of the group on this node, a division Ratis closed, or a shard log not open yet.
     * A client that reads "no division" from a node its placement lists as a replica has found
     * metadata and Raft membership apart: the text says so, so the report names the stranded replica.
     */
    String whyNotHosted(final long groupMsb, final long groupLsb)
    {
        final RaftGroupId groupId = RaftGroupId.valueOf(new UUID(groupMsb, groupLsb));
        final RaftServer.Division division;
        try
        {
            division = server.getDivision(groupId);
        }
        catch (final IOException | RuntimeException e)
        {
            return "this node holds no replica of the shard (no Raft division of group " + groupId.getUuid() + " here)";
        }
        if (!division.getInfo().isAlive())
        {
            return "this node's replica of the shard is " + division.getInfo().getLifeCycleState() + " (group "
                + groupId.getUuid() + "); it restarts on its own if the node still belongs to the group";
        }
        return "this node's replica of the shard is still opening its log (group " + groupId.getUuid() + ", "
            + division.getInfo().getLifeCycleState() + ")";
    }

    /** Every handle known now (for shutdown). */
    Iterable<ShardHandle> all()
    {
        return byGroup.values().stream().flatMap(m -> m.values().stream()).toList();
    }
}
