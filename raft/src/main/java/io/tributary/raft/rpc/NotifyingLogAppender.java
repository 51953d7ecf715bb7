package io.tributary.raft.rpc;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;

import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotResult;
import org.apache.ratis.rpc.CallId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppenderBase;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLogIOException;
import org.apache.ratis.util.Timestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A log appender for transports whose calls block (Ratis's Netty transport): one appendEntries at a
 * time, as Ratis's {@code LogAppenderDefault}, and, unlike it, install-snapshot <em>notifications</em>
 * for a follower whose next entry the leader has purged. Tributary runs with
 * {@code install.snapshot.enabled=false}: a follower behind the leader's log fetches the shard's state
 * from the leader itself (ShardStateMachine's catch-up) when notified. {@code LogAppenderDefault} only
 * ships snapshot files, which such a follower refuses ("configuration mismatch"), so on Netty a replica
 * behind a purge, or added after retention, never caught up. The Aeron transport's appender and
 * ratis-grpc's notify already.
 * <p>
 * A notification is resent every heartbeat interval until the follower reports a snapshot installed
 * (its snapshot index becomes the leader's view of its match index); it is also what keeps the follower
 * from starting an election meanwhile. A failed call is retried after Ratis's rpc sleep time.
 */
final class NotifyingLogAppender extends LogAppenderBase
{
    private static final Logger LOG = LoggerFactory.getLogger(NotifyingLogAppender.class);
    /** Failures logged: the first, then one in this many (a follower down for minutes fails every heartbeat). */
    private static final int LOG_EVERY_FAILURES = 20;

    private final long heartbeatIntervalMs;
    private long failuresInARow;
    private boolean notifying;

    NotifyingLogAppender(final RaftServer.Division server, final LeaderState leaderState, final FollowerInfo follower)
    {
        super(server, leaderState, follower);
        // Ratis's heartbeat interval: half the minimum election timeout.
        this.heartbeatIntervalMs = server.properties().minRpcTimeoutMs() / 2;
    }

    @Override
    public long getCallId()
    {
        return CallId.get();
    }

    @Override
    public Comparator<Long> getCallIdComparator()
    {
        return CallId.getComparator();
    }

    @Override
    public void run() throws InterruptedException, IOException
    {
        while (isRunning())
        {
            if (shouldSendAppendEntries())
            {
                final TermIndex firstAvailable = shouldNotifyToInstallSnapshot();
                final boolean sent = firstAvailable != null ? notifyFollower(firstAvailable) : appendOnce();
                if (!sent && isRunning())
                {
                    getServer().properties().rpcSleepTime().sleep();
                }
            }
            if (isRunning() && !hasAppendEntries())
            {
                final long waitMs = notifying ? heartbeatIntervalMs : getHeartbeatWaitTimeMs();
                if (waitMs > 0)
                {
                    // Ratis signals this (notifyLogAppender) when the leader appends an entry or a heartbeat is due.
                    getEventAwaitForSignal().await(waitMs, TimeUnit.MILLISECONDS);
                }
            }
            getLeaderState().checkHealth(getFollower());
        }
    }

    /** One appendEntries (or heartbeat) and its reply; false when the call failed. */
    private boolean appendOnce() throws InterruptedException, InterruptedIOException, RaftLogIOException
    {
        final AppendEntriesRequestProto request = newAppendEntriesRequest(CallId.getAndIncrement(), false);
        if (request == null)
        {
            return true;
        }
        final long firstIndex = request.getEntriesCount() > 0 ? request.getEntries(0).getIndex()
            : request.hasPreviousLog() ? request.getPreviousLog().getIndex() + 1 : 0;
        final Timestamp sendTime = Timestamp.currentTime();
        final AppendEntriesReplyProto reply;
        try
        {
            getFollower().updateLastRpcSendTime(request.getEntriesCount() == 0);
            reply = getServerRpc().appendEntries(request);
        }
        catch (final InterruptedIOException e)
        {
            throw e;
        }
        catch (final IOException e)
        {
            failed("appendEntries", e);
            return false;
        }
        if (failuresInARow > 0)
        {
            LOG.info("{}: {} answers again after {} failed calls", this, getFollowerId(), failuresInARow);
            failuresInARow = 0;
        }
        getFollower().updateLastRpcResponseTime();
        // What the leader's read lease counts: a majority answered appendEntries sent at or after this time.
        getFollower().updateLastRespondedAppendEntriesSendTime(sendTime);
        switch (reply.getResult())
        {
            case SUCCESS ->
            {
                getLeaderState().onFollowerCommitIndex(getFollower(), reply.getFollowerCommit());
                if (getFollower().updateMatchIndex(reply.getMatchIndex()))
                {
                    getFollower().updateNextIndex(reply.getMatchIndex() + 1);
                    getLeaderState().onFollowerSuccessAppendEntries(getFollower());
                }
            }
            case NOT_LEADER ->
            {
                if (onFollowerTerm(reply.getTerm()))
                {
                    return true;
                }
            }
            case INCONSISTENCY -> getFollower().setNextIndex(getNextIndexForInconsistency(firstIndex, reply.getNextIndex()));
            default -> LOG.warn("{}: unexpected appendEntries result {} from {}", this, reply.getResult(), getFollowerId());
        }
        getLeaderState().onAppendEntriesReply(this, reply);
        return true;
    }

    /** Tells the follower to install a snapshot (it fetches the state itself); false when the call failed. */
    private boolean notifyFollower(final TermIndex firstAvailable) throws InterruptedIOException
    {
        if (!notifying)
        {
            LOG.info("{}: follower {} next index {} is below the log start; notifying it to install a snapshot (first available {})",
                this, getFollowerId(), getFollower().getNextIndex(), firstAvailable);
            notifying = true;
        }
        final InstallSnapshotReplyProto reply;
        try
        {
            getFollower().updateLastRpcSendTime(false);
            reply = getServerRpc().installSnapshot(newInstallSnapshotNotificationRequest(firstAvailable));
        }
        catch (final InterruptedIOException e)
        {
            throw e;
        }
        catch (final IOException e)
        {
            failed("install-snapshot notification", e);
            return false;
        }
        failuresInARow = 0;
        getFollower().updateLastRpcResponseTime();
        final InstallSnapshotResult result = reply.getResult();
        switch (result)
        {
            case IN_PROGRESS -> LOG.debug("{}: follower {} is installing a snapshot", this, getFollowerId());
            case SNAPSHOT_INSTALLED, ALREADY_INSTALLED ->
            {
                final long snapshotIndex = reply.getSnapshotIndex();
                LOG.info("{}: follower {} has a snapshot at index {} ({}); appending from {}", this, getFollowerId(), snapshotIndex,
                    result, snapshotIndex + 1);
                // Sets the follower's snapshot, match and next indexes.
                getFollower().setSnapshotIndex(snapshotIndex);
                getFollower().setAttemptedToInstallSnapshot();
                getLeaderState().onFollowerCommitIndex(getFollower(), snapshotIndex);
                notifying = false;
            }
            case SNAPSHOT_UNAVAILABLE ->
            {
                LOG.warn("{}: follower {} found no snapshot to install; notifying again", this, getFollowerId());
                getFollower().setAttemptedToInstallSnapshot();
            }
            case NOT_LEADER -> onFollowerTerm(reply.getTerm());
            case CONF_MISMATCH -> LOG.error("{}: follower {} refuses snapshot notifications: set raft.server.log.appender"
                + ".install.snapshot.enabled to the same value on every server", this, getFollowerId());
            default -> LOG.warn("{}: unexpected install-snapshot result {} from {}", this, result, getFollowerId());
        }
        return true;
    }

    private void failed(final String what, final IOException e)
    {
        failuresInARow++;
        if (failuresInARow == 1 || failuresInARow % LOG_EVERY_FAILURES == 0)
        {
            LOG.warn("{}: {} to {} failed ({} in a row): {}", this, what, getFollowerId(), failuresInARow, e.toString());
        }
        getServerRpc().handleException(getFollowerId(), e, false);
    }
}
