package io.tributary.raft.frontend;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;

import io.tributary.engine.ShardLog;
import io.tributary.protocol.FetchResponseDescriptor;
import io.tributary.raft.protocol.ReplayKey;
import io.tributary.raft.shard.ShardStateMachine;

/**
 * A shard this node hosts, as the front end sees it: its Ratis division (role, submit), its
 * state machine (reads, apply notifications) and the appender that turns queued batches into
 * Raft entries. Valid until the division closes (replica moved away, stream deleted).
 */
final class ShardHandle implements ShardAppender.Target
{
    final RaftGroupId groupId;
    final RaftServer.Division division;
    final RaftClientAsynchronousProtocol submitter;
    final ShardStateMachine stateMachine;
    final ShardAppender appender;
    final LongPolls longPolls;

    ShardHandle(final RaftGroupId groupId, final RaftServer.Division division, final ShardStateMachine stateMachine,
        final ShardAppender.Factory appenders, final LongPolls longPolls)
    {
        this.groupId = groupId;
        this.division = division;
        // Ratis's division is its own client protocol: submitting there runs on our thread, skipping the
        // server proxy's executor hand-off (and its join), as Apache Ozone's XceiverServerRatis does.
        this.submitter = (RaftClientAsynchronousProtocol)division;
        this.stateMachine = stateMachine;
        this.appender = appenders.create(this);
        this.longPolls = longPolls;
    }

    boolean isAlive()
    {
        return division.getInfo().isAlive() && stateMachine.log() != null;
    }

    @Override
    public boolean leadsAndIsReady()
    {
        return division.getInfo().isLeader() && division.getInfo().isLeaderReady();
    }

    @Override
    public boolean leads()
    {
        return division.getInfo().isLeader();
    }

    byte role()
    {
        if (division.getInfo().isLeader())
        {
            return FetchResponseDescriptor.ROLE_LEADER;
        }
        return division.getInfo().isFollower() ? FetchResponseDescriptor.ROLE_FOLLOWER
            : FetchResponseDescriptor.ROLE_OTHER;
    }

    @Override
    public String leaderHint()
    {
        final RaftPeerId leader = division.getInfo().getLeaderId();
        // Just stepped down, Ratis still names this replica for a few milliseconds: that names no leader.
        return leader == null || (leader.equals(division.getId()) && !division.getInfo().isLeader()) ? ""
            : leader.toString();
    }

    @Override
    public RaftPeerId serverId()
    {
        return division.getId();
    }

    @Override
    public RaftGroupId groupId()
    {
        return groupId;
    }

    @Override
    public CompletableFuture<RaftClientReply> submit(
        final RaftClientRequest request) throws IOException
    {
        return submitter.submitClientRequestAsync(request);
    }

    long appliedIndex()
    {
        return stateMachine.getLastAppliedTermIndex() == null ? -1 : stateMachine.getLastAppliedTermIndex().getIndex();
    }

    /**
     * The Raft index a read's data reaches, reported with it: the applied index, or the index of the last stored
     * batch if higher. The state machine stores a batch (readers see it at once) before it advances its applied
     * index, so a read could return a batch with an applied index below it, and a follower asked for "at least that
     * index" lacked the batch (CI's Jepsen smoke run, seed 8835851). Read after the data it covers. An upper bound:
     * the data may hold only part of that entry ({@link #completeIndex}).
     */
    long visibleIndex(final ShardLog log)
    {
        // The log keeps replay keys (Raft index and item ordinal), not bare indexes.
        return log == null ? appliedIndex()
            : Math.max(appliedIndex(), ReplayKey.raftIndex(log.lastRaftIndex()));
    }

    /**
     * The Raft index up to which this replica holds every batch of every entry: what a follower read asked for "at
     * least index X" (the {@link #visibleIndex} an earlier read reported) must reach. Not the visible index: one
     * entry carries several batches, stored one at a time, and a replica between two of them has the entry's index
     * in its log without the rest of the entry. Comparing that index let a follower with the first batch of entry X
     * serve a reader who had seen the last one: the read went backwards (CI's smoke run on 1830a49, seed 9240121).
     */
    long completeIndex(final ShardLog log)
    {
        return log == null ? appliedIndex() : completeIndex(appliedIndex(), log.lastRaftIndex());
    }

    /**
     * Every entry up to the applied index is whole; past it, only the entries before the last stored batch's are
     * (that entry may be cut between its batches).
     *
     * @param appliedIndex the state machine's applied index (-1: none).
     * @param lastKey      the replay key of the last stored batch ({@link ReplayKey}; 0: none).
     */
    static long completeIndex(final long appliedIndex, final long lastKey)
    {
        return lastKey <= 0 ? appliedIndex : Math.max(appliedIndex, ReplayKey.raftIndex(lastKey) - 1);
    }

    @Override
    public String toString()
    {
        return "shard group " + groupId.getUuid();
    }
}
