package io.tributary.raft.frontend;

import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;

import io.tributary.protocol.FetchResponseDescriptor;
import io.tributary.raft.shard.ShardStateMachine;

/**
 * A shard this node hosts, as the front end sees it: its Ratis division (role, submit), its
 * state machine (reads, apply notifications) and the appender that turns queued batches into
 * Raft entries. Valid until the division closes (replica moved away, stream deleted).
 */
final class ShardHandle
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

    /** Leads and has committed an entry of its term: a write submitted now will not be refused as "not ready". */
    boolean leadsAndIsReady()
    {
        return division.getInfo().isLeader() && division.getInfo().isLeaderReady();
    }

    boolean leads()
    {
        return division.getInfo().isLeader();
    }

    byte role()
    {
        if (division.getInfo().isLeader())
        {
            return FetchResponseDescriptor.ROLE_LEADER;
        }
        return division.getInfo().isFollower() ? FetchResponseDescriptor.ROLE_FOLLOWER : FetchResponseDescriptor.ROLE_OTHER;
    }

    /** The leader's node id as this replica knows it, or "" when it knows none. */
    String leaderHint()
    {
        final RaftPeerId leader = division.getInfo().getLeaderId();
        return leader == null ? "" : leader.toString();
    }

    long appliedIndex()
    {
        return stateMachine.getLastAppliedTermIndex() == null ? -1 : stateMachine.getLastAppliedTermIndex().getIndex();
    }

    @Override
    public String toString()
    {
        return "shard group " + groupId.getUuid();
    }
}
