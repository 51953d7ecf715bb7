package io.tributary.raft.node;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * When the controller moves a shard's leadership to its preferred replica (the first in
 * placement order), as Kafka's preferred-leader election does: a pass every interval; a shard
 * whose preferred replica is a healthy member and not the leader gets one transfer, and at
 * most one per interval, so a preferred node that keeps failing does not make the leadership
 * ping-pong. A transfer that fails doubles the shard's wait, up to {@link #BACKOFF_MAX}
 * intervals, because each attempt holds the shard's writes while Ratis waits; seeing the
 * preferred replica lead resets it. The controller does the talking (Ratis group info,
 * transferLeadership); this class only decides, with time as an argument. Not thread-safe: the
 * controller's thread owns it.
 */
final class LeaderBalance
{
    /**
     * How far the preferred replica's commit index may trail the leader's for a transfer. Ratis
     * waits, blocking the shard's writes, until the target has the leader's last entry; a few
     * hundred entries arrive in milliseconds, a replica catching up from far behind does not.
     */
    static final long LAG_ENTRIES_MAX = 256;

    /**
     * How far the preferred replica's applied index may trail the leader's commit index for a transfer.
     * A new leader refuses (or, with the front end's leader wait, holds) writes until it has applied every
     * entry before its term: a replica restarted a few seconds ago holds the log but may still be applying
     * it, on a cold JVM (a move 0.5 s after a restart held every write of the shard for 1.2 s).
     */
    static final long APPLY_LAG_ENTRIES_MAX = 32;

    /**
     * How long the preferred replica must have followed its leader before it is given the leadership. A replica
     * that was restarted seconds ago runs on a cold JVM (its code still being compiled, its caches empty): as the
     * new leader it held every write of the shard for 100-200 ms in the Jepsen runs, where a warm one takes
     * 30-80 ms. Only while the leader has led for at least as long: in a new group (or one that has just
     * elected) leader and followers took their roles together, and the move to the preferred replica goes at once.
     */
    static final long FOLLOWING_MIN_MS = 5_000;

    /** The longest wait between two transfers of one shard, in intervals, after failures in a row. */
    static final int BACKOFF_MAX = 8;

    /**
     * What the controller learned of one shard's group from its preferred replica and its leader.
     *
     * @param preferredAnswered        the preferred replica answered (it is alive).
     * @param preferredLeads           the preferred replica says it leads.
     * @param leader                   the leader the preferred replica follows, null if it knows none (an election).
     * @param leaderConfirmed          that leader answered and says it leads.
     * @param membershipChanging       the leader's configuration has old peers: a membership change is under way.
     * @param preferredInConfiguration the leader's configuration has the preferred replica as a voting member.
     * @param leaderCommitIndex        the leader's commit index.
     * @param preferredCommitIndex     the preferred replica's commit index as the leader knows it, -1 if unknown.
     * @param preferredSilenceMs       since the leader last heard from the preferred replica, -1 if unknown.
     * @param preferredLastIndex       the index of the preferred replica's last log entry, by itself; -1 if unknown.
     * @param leaderLastIndex          the index of the leader's last log entry; -1 if unknown. Ratis moves the
     *                                 leadership once the leader knows the target holds it (its match index), which
     *                                 group info does not show: these two say whether it could.
     * @param preferredAppliedIndex    the preferred replica's applied index, by itself; -1 if unknown.
     * @param preferredFollowingMs     how long the preferred replica has been a follower (Ratis's role time, since
     *                                 its start or the group's last election); -1 if unknown.
     * @param leaderLeadingMs          how long the leader has led (Ratis's role time); -1 if unknown.
     */
    record GroupView(boolean preferredAnswered, boolean preferredLeads, String leader, boolean leaderConfirmed,
        boolean membershipChanging, boolean preferredInConfiguration, long leaderCommitIndex, long preferredCommitIndex,
        long preferredSilenceMs, long preferredLastIndex, long leaderLastIndex, long preferredAppliedIndex,
        long preferredFollowingMs, long leaderLeadingMs)
    {
    }

    /** The outcome for one shard; only TRANSFER acts. */
    enum Verdict
    {
        BALANCED,
        PREFERRED_INACTIVE,
        PREFERRED_UNREACHABLE,
        NO_LEADER,
        MEMBERSHIP_CHANGING,
        PREFERRED_NOT_MEMBER,
        PREFERRED_SILENT,
        PREFERRED_BEHIND,
        PREFERRED_APPLYING,
        PREFERRED_WARMING,
        TRANSFER
    }

    private final long intervalNs;
    private final long silenceMaxMs;
    /** Shard -> {time of its last transfer attempt, attempts in a row that failed}. */
    private final Map<String, long[]> attempts = new HashMap<>();
    private long nextPassNs;
    private boolean passed;

    /**
     * @param intervalNs   between passes, and between two transfers of one shard.
     * @param silenceMaxMs the longest the leader may not have heard from the preferred replica.
     */
    LeaderBalance(final long intervalNs, final long silenceMaxMs)
    {
        if (intervalNs <= 0)
        {
            throw new IllegalArgumentException("leader balance interval must be positive, got " + intervalNs + " ns");
        }
        this.intervalNs = intervalNs;
        this.silenceMaxMs = silenceMaxMs;
    }

    /** True if a pass is due; the next one is then due an interval later. */
    boolean startPass(final long nowNs)
    {
        if (passed && nowNs - nextPassNs < 0)
        {
            return false;
        }
        passed = true;
        nextPassNs = nowNs + intervalNs;
        return true;
    }

    /** Brings the next pass forward to {@code atNs} if it is later (new shards elect their first leader). */
    void passNoLaterThan(final long atNs)
    {
        if (passed && atNs - nextPassNs < 0)
        {
            nextPassNs = atNs;
        }
    }

    /**
     * False while the shard's last transfer attempt is less than an interval old, or, after
     * {@code k} failed attempts in a row, less than {@code min(2^k, BACKOFF_MAX)} intervals.
     */
    boolean mayTransfer(final String shard, final long nowNs)
    {
        final long[] last = attempts.get(shard);
        return last == null || nowNs - last[0] >= intervalNs * Math.min(1L << Math.min(last[1], 30), BACKOFF_MAX);
    }

    /** Records a transfer attempt and whether Ratis confirmed it. */
    void transferred(final String shard, final long nowNs, final boolean succeeded)
    {
        final long[] last = attempts.computeIfAbsent(shard, key -> new long[2]);
        last[0] = nowNs;
        last[1] = succeeded ? 0 : last[1] + 1;
    }

    /**
     * The shard is led by its preferred replica: failures are forgotten (a transfer whose reply was
     * lost may have worked), the time of the last attempt is kept. Returns true if the last attempt
     * had been reported failed, so the move it made is only seen now (a transfer's reply times out
     * when the election it starts takes longer than the wait, which it does on a loaded machine).
     */
    boolean settled(final String shard)
    {
        final long[] last = attempts.get(shard);
        if (last != null && last[1] > 0)
        {
            last[1] = 0;
            return true;
        }
        return false;
    }

    /** Forgets shards that no longer exist, so the map stays as large as the cluster. */
    void retain(final Set<String> shards)
    {
        attempts.keySet().retainAll(shards);
    }

    /** Whether to move the leadership to the preferred replica, an ACTIVE node ({@code preferredActive}). */
    Verdict decide(final boolean preferredActive, final GroupView view)
    {
        if (!preferredActive)
        {
            return Verdict.PREFERRED_INACTIVE;
        }
        if (!view.preferredAnswered())
        {
            return Verdict.PREFERRED_UNREACHABLE;
        }
        if (view.preferredLeads())
        {
            return Verdict.BALANCED;
        }
        if (view.leader() == null || !view.leaderConfirmed())
        {
            return Verdict.NO_LEADER;
        }
        if (view.membershipChanging())
        {
            return Verdict.MEMBERSHIP_CHANGING;
        }
        if (!view.preferredInConfiguration())
        {
            return Verdict.PREFERRED_NOT_MEMBER;
        }
        if (view.preferredSilenceMs() < 0 || view.preferredSilenceMs() > silenceMaxMs)
        {
            return Verdict.PREFERRED_SILENT;
        }
        if (view.preferredCommitIndex() < 0 || view.leaderCommitIndex() - view.preferredCommitIndex() > LAG_ENTRIES_MAX)
        {
            return Verdict.PREFERRED_BEHIND;
        }
        if (view.preferredAppliedIndex() < 0
            || view.leaderCommitIndex() - view.preferredAppliedIndex() > APPLY_LAG_ENTRIES_MAX)
        {
            return Verdict.PREFERRED_APPLYING;
        }
        if (view.preferredFollowingMs() >= 0 && view.preferredFollowingMs() < FOLLOWING_MIN_MS
            && view.leaderLeadingMs() >= FOLLOWING_MIN_MS)
        {
            return Verdict.PREFERRED_WARMING;
        }
        return Verdict.TRANSFER;
    }
}
