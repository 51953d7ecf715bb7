package io.tributary.transport.rpc;

import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotResult;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.leader.LogAppender;
import org.slf4j.Logger;

/**
 * What a leader's log appender does with a follower's answer to an install-snapshot notification: one
 * place for the appenders that notify (Aeron's, and Netty's {@code NotifyingLogAppender} in the raft
 * module). The follower fetches the state itself; the leader only learns where appending resumes.
 */
public final class SnapshotNotificationReply
{
    private SnapshotNotificationReply()
    {
    }

    /**
     * Acts on {@code reply} (the follower answered): on SNAPSHOT_INSTALLED or ALREADY_INSTALLED sets the
     * follower's snapshot, match and next indexes from its snapshot index.
     *
     * @param installSnapshotEnabled this leader's {@code install.snapshot.enabled}, for the mismatch message.
     * @return true if the follower now has a snapshot and appending resumes after it; false to notify again.
     */
    public static boolean handle(final LogAppender appender, final InstallSnapshotReplyProto reply,
        final boolean installSnapshotEnabled, final Logger log)
    {
        appender.getFollower().updateLastRpcResponseTime();
        final InstallSnapshotResult result = reply.getResult();
        switch (result)
        {
            case IN_PROGRESS -> log.debug("{}: follower {} is installing a snapshot", appender,
                appender.getFollowerId());
            case SNAPSHOT_INSTALLED, ALREADY_INSTALLED ->
            {
                followerHasSnapshot(appender, reply.getSnapshotIndex(), result, log);
                return true;
            }
            case SNAPSHOT_UNAVAILABLE ->
            {
                log.warn("{}: follower {} found no snapshot to install; notifying again", appender,
                    appender.getFollowerId());
                appender.getFollower().setAttemptedToInstallSnapshot();
            }
            case NOT_LEADER -> appender.onFollowerTerm(reply.getTerm());
            case CONF_MISMATCH ->
                log.error("{}: follower {} refuses snapshot notifications: set {} to the same value on every"
                + " server (this leader has {})", appender, appender.getFollowerId(),
                RaftServerConfigKeys.Log.Appender.INSTALL_SNAPSHOT_ENABLED_KEY, installSnapshotEnabled);
            default -> log.warn("{}: unexpected install-snapshot result {} from {}", appender, result,
                appender.getFollowerId());
        }
        return false;
    }

    /** The follower has a snapshot at {@code snapshotIndex}: appending resumes after it. */
    public static void followerHasSnapshot(final LogAppender appender, final long snapshotIndex,
        final InstallSnapshotResult result, final Logger log)
    {
        log.info("{}: follower {} has a snapshot at index {} ({}); appending from {}", appender,
            appender.getFollowerId(),
            snapshotIndex, result, snapshotIndex + 1);
        // Sets the follower's snapshot, match and next indexes.
        appender.getFollower().setSnapshotIndex(snapshotIndex);
        appender.getFollower().setAttemptedToInstallSnapshot();
        appender.getLeaderState().onFollowerCommitIndex(appender.getFollower(), snapshotIndex);
    }
}
