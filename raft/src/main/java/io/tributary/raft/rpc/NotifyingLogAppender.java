package io.tributary.raft.rpc;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;

import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.rpc.CallId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppenderBase;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLogIOException;
import org.apache.ratis.util.Timestamp;
import io.tributary.transport.rpc.SnapshotNotificationReply;
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
 * from starting an election meanwhile. A failed call is retried after Ratis's rpc sleep time, doubled
 * for each failure in a row up to half a heartbeat interval ({@link #retryDelayMs}).
 */
final class NotifyingLogAppender extends LogAppenderBase
{
    private static final Logger LOG = LoggerFactory.getLogger(NotifyingLogAppender.class);
    /** Failures logged: the first, then one in this many (a follower down for minutes fails every heartbeat). */
    private static final int LOG_EVERY_FAILURES = 20;
    /** Answers in a row that took no entries before the first is logged (a few are normal: a follower backtracks). */
    private static final int UNPRODUCTIVE_LOGGED = 100;

    private final long heartbeatIntervalMs;
    private final boolean installSnapshotEnabled;
    private long failuresInARow;
    private long unproductiveInARow;
    private boolean notifying;

    NotifyingLogAppender(final RaftServer.Division server, final LeaderState leaderState, final FollowerInfo follower)
    {
        super(server, leaderState, follower);
        // Ratis's heartbeat interval: half the minimum election timeout.
        this.heartbeatIntervalMs = server.properties().minRpcTimeoutMs() / 2;
        this.installSnapshotEnabled = RaftServerConfigKeys.Log.Appender.installSnapshotEnabled(server.getRaftServer()
            .getProperties());
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
                    TimeUnit.MILLISECONDS.sleep(retryDelayMs());
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
        boolean advanced = false;
        switch (reply.getResult())
        {
            case SUCCESS ->
            {
                getLeaderState().onFollowerCommitIndex(getFollower(), reply.getFollowerCommit());
                if (getFollower().updateMatchIndex(reply.getMatchIndex()))
                {
                    getFollower().updateNextIndex(reply.getMatchIndex() + 1);
                    getLeaderState().onFollowerSuccessAppendEntries(getFollower());
                    advanced = true;
                }
            }
            case NOT_LEADER ->
            {
                if (onFollowerTerm(reply.getTerm()))
                {
                    return true;
                }
            }
            case INCONSISTENCY -> getFollower()
                .setNextIndex(getNextIndexForInconsistency(firstIndex, reply.getNextIndex()));
            default -> LOG.warn("{}: unexpected appendEntries result {} from {}", this, reply.getResult(),
                getFollowerId());
        }
        getLeaderState().onAppendEntriesReply(this, reply);
        if (request.getEntriesCount() > 0)
        {
            noteProgress(advanced, reply, firstIndex, request.getEntriesCount());
        }
        return true;
    }

    /**
     * Logs a follower that answers appendEntries at once, many times in a row, without taking the entries (an
     * INCONSISTENCY answer naming the same next index, a success that does not move its match index): the appender
     * then resends in a tight loop and the shard may not commit. Seen once in a Jepsen run (a shard stalled 40 s,
     * its leader's call ids running 1,700 a second); Ratis logs the follower's reason only at INFO.
     */
    private void noteProgress(final boolean advanced, final AppendEntriesReplyProto reply, final long firstIndex,
        final int entries)
    {
        if (advanced)
        {
            if (unproductiveInARow >= UNPRODUCTIVE_LOGGED)
            {
                LOG.info("{}: {} takes entries again after {} answers that did not", this, getFollowerId(),
                    unproductiveInARow);
            }
            unproductiveInARow = 0;
            return;
        }
        unproductiveInARow++;
        if (unproductiveInARow == UNPRODUCTIVE_LOGGED || unproductiveInARow % (UNPRODUCTIVE_LOGGED * 100L) == 0)
        {
            LOG.warn("{}: {} answered {} appendEntries in a row without taking them; the last: {} (its next index {},"
                + " match index {}, term {}) to {} entries from index {}; the leader's view: next index {}, match"
                + " index {}", this, getFollowerId(), unproductiveInARow, reply.getResult(), reply.getNextIndex(),
                reply.getMatchIndex(), reply.getTerm(), entries, firstIndex, getFollower().getNextIndex(),
                getFollower().getMatchIndex());
        }
    }

    /** Tells the follower to install a snapshot (it fetches the state itself); false when the call failed. */
    private boolean notifyFollower(final TermIndex firstAvailable) throws InterruptedIOException
    {
        if (!notifying)
        {
            LOG.info("{}: follower {} next index {} is below the log start; notifying it to install a snapshot (first "
                + "available {})", this, getFollowerId(), getFollower().getNextIndex(), firstAvailable);
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
        if (SnapshotNotificationReply.handle(this, reply, installSnapshotEnabled, LOG))
        {
            notifying = false;
        }
        return true;
    }

    /**
     * Ratis's rpc sleep time (25 ms) after one failure, doubled for each more in a row, at most half a heartbeat
     * interval. Why: each call to a follower that is down costs Ratis's Netty client a new connection attempt and
     * about three WARN and ERROR lines; retrying every 25 ms filled a node's log at 120 lines a second per group.
     * Half a heartbeat keeps a returning follower's first heartbeat well inside its election timeout.
     */
    long retryDelayMs()
    {
        final long firstMs = getServer().properties().rpcSleepTime().toLong(TimeUnit.MILLISECONDS);
        return retryDelayMs(firstMs, heartbeatIntervalMs / 2, failuresInARow);
    }

    /** {@code firstMs} doubled for each failure in a row after the first, within [firstMs, max(firstMs, capMs)]. */
    static long retryDelayMs(final long firstMs, final long capMs, final long failuresInARow)
    {
        final long doublings = Math.min(Math.max(failuresInARow - 1, 0), 20);
        return Math.max(firstMs, Math.min(capMs, firstMs << doublings));
    }

    private void failed(final String what, final IOException e)
    {
        failuresInARow++;
        if (failuresInARow == 1 || failuresInARow % LOG_EVERY_FAILURES == 0)
        {
            LOG.warn("{}: {} to {} failed ({} in a row): {}", this, what, getFollowerId(), failuresInARow,
                e.toString());
        }
        getServerRpc().handleException(getFollowerId(), e, false);
    }
}
