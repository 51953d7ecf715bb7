package io.tributary.transport.rpc;

import java.io.IOException;
import java.util.Comparator;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotResult;
import org.apache.ratis.rpc.CallId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppenderBase;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.raftlog.RaftLogIOException;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.util.Timestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Aeron transport's log appender: up to {@code appender.inflight.max} appendEntries in flight
 * per follower instead of Ratis's one at a time ({@code LogAppenderDefault}).
 * <p>
 * The follower's next index advances when a request is sent (optimistically); a reply is matched
 * to its request, which carries the pipeline epoch it was sent in. An INCONSISTENCY reply, a send
 * failure or a timeout (the endpoint's request timeout) of a request of the current epoch resets
 * the pipeline: a new epoch, the next index moved back (Ratis's rules in {@link LogAppenderBase}),
 * and the requests still in flight are forgotten (their late INCONSISTENCY or failure is ignored,
 * their late SUCCESS still counts: a match index only grows). Aeron delivers a publication's
 * messages in order and the follower's RPC submits them in arrival order, so requests of one epoch
 * reach the follower's log in the order they were sent.
 * <p>
 * A follower whose next index is below the leader's log start (purged after a snapshot) is caught
 * up by snapshot: with {@code raft.server.log.appender.install.snapshot.enabled=false} (Tributary's
 * setting) by an install-snapshot <em>notification</em>, resent every heartbeat interval until the
 * follower answers SNAPSHOT_INSTALLED or ALREADY_INSTALLED (its state machine fetches the state
 * itself); never file chunks, which such a follower refuses (CONF_MISMATCH). With it enabled, the
 * snapshot files are sent in chunks, one at a time.
 * <p>
 * A new commit index reaches the follower with the next appendEntries; when none is due, a heartbeat
 * carries it once the follower has gone {@code appender.commit.delay.us} without one (Ratis's own
 * appenders send that heartbeat at once: at low rates a whole extra round trip, and about a third
 * of the wake-ups, per entry). Wake-up signals that can only mean "the commit index moved" are
 * dropped while such a heartbeat is already timed ({@link #notifyLogAppender()}).
 * <p>
 * Threading: Ratis's appender daemon thread runs {@link #run()} and owns all the state below;
 * replies complete on the endpoint's polling thread and are only queued there, so the leader's
 * state is updated from the appender thread, and the polling thread never blocks on Ratis.
 */
final class AeronLogAppender extends LogAppenderBase
{
    private static final Logger LOG = LoggerFactory.getLogger(AeronLogAppender.class);

    /** A request as sent: what a reply needs to be interpreted. */
    private record InFlight(long epoch, long previousIndex, long firstIndex, boolean heartbeat, Timestamp sendTime)
    {
    }

    /** A completed call, queued from the polling thread to the appender thread. */
    private record Completion(InFlight append, AppendEntriesReplyProto appendReply,
        InstallSnapshotReplyProto snapshotReply, Throwable error)
    {
    }

    private final AeronServerRpc rpc;
    private final int inflightMax;
    private final boolean installSnapshotEnabled;
    private final long heartbeatIntervalNs;
    private final long commitDelayNs;
    private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();

    // Appender thread only.
    private long epoch;
    private int dataInflight;
    private boolean heartbeatInflight;
    private boolean stalled;
    private long retryAtNs;
    private boolean notificationInflight;
    private long notificationDueNs;
    private boolean notifying;
    private long consecutiveFailures;
    /** Whether a heartbeat is timed to carry the leader's commit index (the follower's known one is behind it). */
    private boolean commitTimed;
    /** The follower's commit index when the timer was set: any progress restarts it. */
    private long commitTimedFrom;
    private long commitDueNs;
    /**
     * Set by the appender thread while it waits with no commit heartbeat timed: only then must a signal that the
     * commit index moved wake it (any thread reads it).
     */
    private volatile boolean commitSignalWanted = true;
    /** The thread running {@link #run()}, once it has started (a signal before then finds the first turn's checks). */
    private volatile Thread appenderThread;

    AeronLogAppender(final RaftServer.Division server, final LeaderState leaderState, final FollowerInfo follower,
        final AeronServerRpc rpc, final int inflightMax, final long commitDelayNs)
    {
        super(server, leaderState, follower);
        if (inflightMax < 1)
        {
            throw new IllegalArgumentException("inflightMax=" + inflightMax + " must be at least 1");
        }
        if (commitDelayNs < 0)
        {
            throw new IllegalArgumentException("commitDelayNs=" + commitDelayNs + " must not be negative");
        }
        this.rpc = rpc;
        this.inflightMax = inflightMax;
        this.commitDelayNs = commitDelayNs;
        this.installSnapshotEnabled = RaftServerConfigKeys.Log.Appender.installSnapshotEnabled(server.getRaftServer()
            .getProperties());
        // Ratis's heartbeat interval: half the minimum election timeout.
        this.heartbeatIntervalNs = RaftServerConfigKeys.Rpc.timeoutMin(server.getRaftServer().getProperties())
            .toLong(TimeUnit.NANOSECONDS) / 2;
        final long nowNs = System.nanoTime();
        this.retryAtNs = nowNs;
        this.notificationDueNs = nowNs;
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
        appenderThread = Thread.currentThread();
        while (isRunning())
        {
            drainCompletions();
            if (!isRunning())
            {
                break;
            }
            final long nowNs = System.nanoTime();
            final boolean bySnapshot = catchUpBySnapshot(nowNs);
            if (!bySnapshot)
            {
                sendAppends(nowNs);
            }
            getLeaderState().checkHealth(getFollower());
            awaitWork(bySnapshot, System.nanoTime());
        }
        // Replies still in flight belong to a stopped appender: ignore them.
        resetPipeline();
    }

    // ---- appendEntries ------------------------------------------------------------------------

    private void sendAppends(final long nowNs) throws InterruptedException
    {
        if (nowNs - retryAtNs < 0)
        {
            return;
        }
        stalled = false;
        while (dataInflight < inflightMax && hasAppendEntries())
        {
            if (!sendAppend(false))
            {
                stalled = true;
                break;
            }
        }
        final boolean commitDue = commitHeartbeatDue(nowNs);
        if (getHeartbeatWaitTimeMs() <= 0 || (commitDue && dataInflight == 0 && !heartbeatInflight))
        {
            sendAppend(true);
        }
    }

    /**
     * Times the heartbeat that tells the follower a new commit index: due once the follower's known commit index has
     * stayed below the leader's for {@code commitDelayNs} (its progress, carried by appendEntries replies, restarts
     * it).
     */
    private boolean commitHeartbeatDue(final long nowNs)
    {
        final long followerCommit = getFollower().getCommitIndex();
        if (getRaftLog().getLastCommittedIndex() <= followerCommit)
        {
            commitTimed = false;
            return false;
        }
        if (!commitTimed || followerCommit != commitTimedFrom)
        {
            commitTimed = true;
            commitTimedFrom = followerCommit;
            commitDueNs = nowNs + commitDelayNs;
        }
        return nowNs - commitDueNs >= 0;
    }

    /**
     * Ratis signals every appender whenever an entry is appended, the leader's commit index moves, or any follower's
     * known commit index moves: three or more wake-ups per entry and follower. A signal is passed on unless all it can
     * mean is a commit index this appender already has a heartbeat timed for (or will send with its next request).
     */
    @Override
    public void notifyLogAppender()
    {
        if (commitSignalWanted || !isRunning() || hasAppendEntries() || getHeartbeatWaitTimeMs() <= 0)
        {
            signal();
        }
    }

    /**
     * Wakes the appender thread, or makes its next wait return at once. Not Ratis's {@code AwaitForSignal}, which
     * forgets a signal given while its thread is not yet waiting: the appender then slept until its timeout (up to a
     * heartbeat interval) with a reply or a new entry waiting.
     */
    private void signal()
    {
        final Thread thread = appenderThread;
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    /** @return false if there was nothing to send (entries not readable yet) */
    private boolean sendAppend(final boolean heartbeat) throws InterruptedException
    {
        final AppendEntriesRequestProto request;
        try
        {
            request = newAppendEntriesRequest(CallId.getAndIncrement(), heartbeat);
        }
        catch (final RaftLogIOException ex)
        {
            // E.g. purged between the snapshot check and the read: the next round decides again.
            LOG.warn("{}: cannot read entries from {} for {}: {}", this, getFollower().getNextIndex(), getFollowerId(),
                ex.toString());
            retryAtNs = System.nanoTime() + heartbeatIntervalNs / 4;
            return false;
        }
        if (request == null)
        {
            return false;
        }
        final int count = request.getEntriesCount();
        final long previousIndex = request.hasPreviousLog() ? request.getPreviousLog().getIndex()
            : RaftLog.INVALID_LOG_INDEX;
        final long firstIndex = count > 0 ? request.getEntries(0).getIndex() : previousIndex + 1;
        final InFlight sent = new InFlight(epoch, previousIndex, firstIndex, count == 0, Timestamp.currentTime());
        if (count > 0)
        {
            getFollower().increaseNextIndex(request.getEntries(count - 1).getIndex() + 1);
            dataInflight++;
        }
        else
        {
            heartbeatInflight = true;
            resetHeartbeatTrigger();
        }
        getFollower().updateLastRpcSendTime(count == 0);
        try
        {
            rpc.appendEntriesAsync(request)
                .whenComplete((reply, error) -> complete(new Completion(sent, reply, null, error)));
        }
        catch (final IOException ex)
        {
            complete(new Completion(sent, null, null, ex));
        }
        return true;
    }

    private void onAppendCompletion(final InFlight request, final AppendEntriesReplyProto reply, final Throwable error)
    {
        final boolean current = request.epoch() == epoch;
        if (current)
        {
            if (request.heartbeat())
            {
                heartbeatInflight = false;
            }
            else
            {
                dataInflight--;
            }
        }
        if (error != null)
        {
            onAppendError(request, current, error);
            return;
        }
        if (current && consecutiveFailures > 0)
        {
            LOG.info("{}: {} answers again after {} failed appendEntries", this, getFollowerId(), consecutiveFailures);
            consecutiveFailures = 0;
        }
        getFollower().updateLastRpcResponseTime();
        getFollower().updateLastRespondedAppendEntriesSendTime(request.sendTime());
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
                    return;
                }
            }
            case INCONSISTENCY ->
            {
                if (current)
                {
                    LOG.debug("{}: {} is inconsistent at {} (its next index {}); resending", this, getFollowerId(),
                        request.firstIndex(), reply.getNextIndex());
                    resetPipeline();
                    getFollower().setNextIndex(getNextIndexForInconsistency(request.firstIndex(),
                        reply.getNextIndex()));
                    matchCommittedEntries(reply.getFollowerCommit());
                }
            }
            default -> LOG.warn("{}: unexpected appendEntries result {} from {}", this, reply.getResult(),
                getFollowerId());
        }
        getLeaderState().onAppendEntriesReply(this, reply);
    }

    /**
     * A follower refuses entries it already holds as committed ("the first entry already exists"): entries
     * committed anywhere equal the leader's, so they are matched. Without this, a success reply dropped by a
     * pipeline reset left the match index behind for good whenever nothing new was appended (the follower
     * answers only INCONSISTENCY to the resend and heartbeats carry no match index): a leadership transfer to it
     * waited forever (PausedNodeTest, about one run in seven).
     */
    private void matchCommittedEntries(final long followerCommit)
    {
        final TermIndex last = getRaftLog().getLastEntryTermIndex();
        if (last != null && followerCommit > getFollower().getMatchIndex() && followerCommit <= last.getIndex())
        {
            LOG.info("{}: {} already holds entries up to its commit index {}: matched (match index was {})", this,
                getFollowerId(), followerCommit, getFollower().getMatchIndex());
            getFollower().updateMatchIndex(followerCommit);
            getFollower().updateNextIndex(Math.max(getFollower().getNextIndex(), followerCommit + 1));
            getLeaderState().onFollowerSuccessAppendEntries(getFollower());
        }
    }

    private void onAppendError(final InFlight request, final boolean current, final Throwable error)
    {
        if (!current || !isRunning())
        {
            return;
        }
        // A follower that is down fails every retry: warn on the first failure and then every 100th.
        consecutiveFailures++;
        if (consecutiveFailures == 1 || consecutiveFailures % 100 == 0)
        {
            LOG.warn("{}: appendEntries to {} failed ({} in a row; previous index {}, heartbeat {}); resending from "
                + "there: {}", this, getFollowerId(), consecutiveFailures, request.previousIndex(), request.heartbeat(),
                cause(error).toString());
        }
        resetPipeline();
        getFollower().computeNextIndex(getNextIndexForError(request.previousIndex() + 1));
        // A peer that is down fails every send: do not spin on it.
        retryAtNs = System.nanoTime() + heartbeatIntervalNs / 2;
    }

    private void resetPipeline()
    {
        epoch++;
        dataInflight = 0;
        heartbeatInflight = false;
    }

    // ---- catch-up by snapshot -----------------------------------------------------------------

    /** @return true while the follower needs a snapshot (appendEntries would read purged entries) */
    private boolean catchUpBySnapshot(final long nowNs) throws InterruptedException
    {
        if (installSnapshotEnabled)
        {
            final SnapshotInfo snapshot = shouldInstallSnapshot();
            if (snapshot == null)
            {
                return false;
            }
            if (nowNs - retryAtNs >= 0)
            {
                installSnapshotFiles(snapshot);
            }
            return true;
        }
        final TermIndex firstAvailable = shouldNotifyToInstallSnapshot();
        if (firstAvailable == null)
        {
            notifying = false;
            return false;
        }
        if (!notificationInflight && nowNs - notificationDueNs >= 0)
        {
            sendNotification(firstAvailable, nowNs);
        }
        return true;
    }

    private void sendNotification(final TermIndex firstAvailable, final long nowNs)
    {
        if (!notifying)
        {
            LOG.info("{}: follower {} next index {} is below the log start; notifying it to install a snapshot (first "
                + "available {})", this, getFollowerId(), getFollower().getNextIndex(), firstAvailable);
            notifying = true;
        }
        final InstallSnapshotRequestProto request = newInstallSnapshotNotificationRequest(firstAvailable);
        notificationInflight = true;
        // Resent every heartbeat interval: it is also what keeps the follower from starting an election.
        notificationDueNs = nowNs + heartbeatIntervalNs;
        getFollower().updateLastRpcSendTime(false);
        try
        {
            rpc.installSnapshotAsync(request)
                .whenComplete((reply, error) -> complete(new Completion(null, null, reply, error)));
        }
        catch (final IOException ex)
        {
            complete(new Completion(null, null, null, ex));
        }
    }

    private void onNotificationReply(final InstallSnapshotReplyProto reply, final Throwable error)
    {
        notificationInflight = false;
        if (error != null)
        {
            LOG.warn("{}: install-snapshot notification to {} failed, resending in a heartbeat interval: {}",
                this, getFollowerId(), cause(error).toString());
            return;
        }
        if (SnapshotNotificationReply.handle(this, reply, installSnapshotEnabled, LOG))
        {
            appendAfterFollowerSnapshot();
        }
    }

    private void onFollowerSnapshot(final long snapshotIndex, final InstallSnapshotResult result)
    {
        SnapshotNotificationReply.followerHasSnapshot(this, snapshotIndex, result, LOG);
        appendAfterFollowerSnapshot();
    }

    private void appendAfterFollowerSnapshot()
    {
        resetPipeline();
        notifying = false;
        notificationDueNs = System.nanoTime();
    }

    /** Only with install.snapshot.enabled=true (not Tributary's setting): the files in chunks, one call at a time. */
    private void installSnapshotFiles(final SnapshotInfo snapshot) throws InterruptedException
    {
        LOG.info("{}: sending snapshot {} to follower {}", this, snapshot.getTermIndex(), getFollowerId());
        try
        {
            for (final InstallSnapshotRequestProto request
                : newInstallSnapshotRequests(UUID.randomUUID().toString(), snapshot))
            {
                if (!isRunning())
                {
                    return;
                }
                getFollower().updateLastRpcSendTime(false);
                final InstallSnapshotReplyProto reply = rpc.installSnapshot(request);
                getFollower().updateLastRpcResponseTime();
                if (reply.getResult() == InstallSnapshotResult.NOT_LEADER)
                {
                    onFollowerTerm(reply.getTerm());
                    return;
                }
                if (reply.getResult() == InstallSnapshotResult.ALREADY_INSTALLED)
                {
                    // An earlier attempt completed after its reply was lost or late (as ratis-grpc's appender:
                    // the follower's snapshot index is where appending resumes). Resending chunks would loop.
                    onFollowerSnapshot(reply.getSnapshotIndex(), reply.getResult());
                    return;
                }
                if (reply.getResult() != InstallSnapshotResult.SUCCESS)
                {
                    LOG.warn("{}: follower {} answered {} to a snapshot chunk; retrying later", this, getFollowerId(),
                        reply.getResult());
                    retryAtNs = System.nanoTime() + heartbeatIntervalNs;
                    return;
                }
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("{}: sending snapshot {} to {} failed; retrying later: {}", this, snapshot.getTermIndex(),
                getFollowerId(), ex.toString());
            retryAtNs = System.nanoTime() + heartbeatIntervalNs;
            return;
        }
        getFollower().setSnapshotIndex(snapshot.getIndex());
        getFollower().setAttemptedToInstallSnapshot();
        resetPipeline();
    }

    // ---- completions and waiting ------------------------------------------------------------

    private void complete(final Completion completion)
    {
        completions.add(completion);
        signal();
    }

    private void drainCompletions()
    {
        Completion completion;
        while ((completion = completions.poll()) != null)
        {
            if (completion.append() != null)
            {
                onAppendCompletion(completion.append(), completion.appendReply(), completion.error());
            }
            else
            {
                onNotificationReply(completion.snapshotReply(), completion.error());
            }
        }
    }

    private void awaitWork(final boolean bySnapshot, final long nowNs) throws InterruptedException
    {
        if (!completions.isEmpty())
        {
            return;
        }
        final boolean retrying = nowNs - retryAtNs < 0;
        if (!bySnapshot && !retrying && !stalled && dataInflight < inflightMax && hasAppendEntries())
        {
            return;
        }
        long waitNs = TimeUnit.MILLISECONDS.toNanos(Math.max(1, getHeartbeatWaitTimeMs()));
        if (retrying)
        {
            waitNs = Math.min(waitNs, retryAtNs - nowNs);
        }
        if (bySnapshot)
        {
            // No heartbeats while notifying: wake for the reply (signalled) or the next notification.
            waitNs = notificationInflight ? heartbeatIntervalNs : Math.max(0, notificationDueNs - nowNs);
        }
        if (stalled)
        {
            waitNs = Math.min(waitNs, TimeUnit.MILLISECONDS.toNanos(1));
        }
        // Declared before the commit index is read again: a commit that moves after this read signals (volatile order).
        commitSignalWanted = true;
        if (!bySnapshot)
        {
            commitHeartbeatDue(nowNs);
        }
        if (!bySnapshot && commitTimed)
        {
            commitSignalWanted = false;
            if (dataInflight == 0 && !heartbeatInflight)
            {
                // A reply in flight carries the follower's commit (and wakes this thread); otherwise the timer does.
                waitNs = Math.min(waitNs, Math.max(commitDueNs - nowNs, TimeUnit.MILLISECONDS.toNanos(1)));
            }
        }
        if (waitNs > 0)
        {
            // A permit from a signal since the last wait ends this one at once; a spurious return only costs a turn.
            LockSupport.parkNanos(this, waitNs);
            if (Thread.interrupted())
            {
                throw new InterruptedException(this + ": interrupted while waiting (stopping)");
            }
        }
        commitSignalWanted = true;
    }

    private static Throwable cause(final Throwable error)
    {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
