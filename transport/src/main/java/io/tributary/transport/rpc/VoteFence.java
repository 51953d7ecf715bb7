package io.tributary.transport.rpc;

import java.util.concurrent.TimeUnit;

/**
 * One Raft group's fence between appendEntries and votes on this server: a vote is decided only
 * when no appendEntries that Ratis has accepted is still on its way to the log, and no
 * appendEntries is handed to Ratis while a vote is being decided.
 * <p>
 * Why: Ratis 3.3 checks an appendEntries (leader's term, previous entry) under the division's
 * lock, but appends its entries afterwards, on its server executor. A vote decided in between
 * compares the candidate with a log that still lacks those entries and may grant it; the entries
 * then land and are acknowledged, with the old term, to the old leader, which counts them towards
 * a majority. The old leader commits entries that the new leader never had, and the new leader
 * later truncates them: a committed (acknowledged) entry lost, Raft's election restriction
 * broken. Seen as AeronLogAppenderTest's restarted old leader applying one entry more than its
 * peers, and a Ratis retry-cache assertion on a truncated, already applied entry. Refusing or
 * delaying a vote is always safe in Raft (it costs only time); granting one early is not.
 * <p>
 * Thread-safe; blocking by design: appends wait on a group's lane, votes on the blocking executor.
 */
final class VoteFence
{
    private int appendsInFlight;
    private int votesPending;

    /**
     * Before an appendEntries goes to Ratis: waits while a vote is pending.
     *
     * @return false if a vote still held the fence after {@code timeoutNs} (the append must be refused, not sent).
     */
    synchronized boolean appendStarted(final long timeoutNs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (votesPending > 0)
        {
            final long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs <= 0)
            {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, remainingNs);
        }
        appendsInFlight++;
        return true;
    }

    /**
     * Before a heartbeat goes to Ratis: waits until no appendEntries is in flight (see {@link AeronServerRpc}: Ratis
     * 3.3 lets a heartbeat raise the commit index over entries whose replacement is still pending).
     *
     * @return false if appends were still in flight after {@code timeoutNs} (the heartbeat must be refused).
     */
    synchronized boolean awaitNoAppendsInFlight(final long timeoutNs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (appendsInFlight > 0)
        {
            final long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs <= 0)
            {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, remainingNs);
        }
        return true;
    }

    /** When Ratis's future for an appendEntries completed (its entries are in the log, or it was refused). */
    synchronized void appendEnded()
    {
        if (appendsInFlight <= 0)
        {
            throw new IllegalStateException("appendEnded without appendStarted (appends in flight " + appendsInFlight + ")");
        }
        appendsInFlight--;
        if (appendsInFlight == 0)
        {
            notifyAll();
        }
    }

    /**
     * Before a vote goes to Ratis: holds back new appends and waits for those in flight.
     *
     * @return false if appends were still in flight after {@code timeoutNs}: the vote must be refused (and
     *     {@link #voteEnded()} not called).
     */
    synchronized boolean voteStarted(final long timeoutNs) throws InterruptedException
    {
        votesPending++;
        final long deadlineNs = System.nanoTime() + timeoutNs;
        boolean clear = false;
        try
        {
            while (appendsInFlight > 0)
            {
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0)
                {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, remainingNs);
            }
            clear = true;
            return true;
        }
        finally
        {
            if (!clear)
            {
                votesPending--;
                notifyAll();
            }
        }
    }

    /** After Ratis decided a vote that {@link #voteStarted} let through. */
    synchronized void voteEnded()
    {
        if (votesPending <= 0)
        {
            throw new IllegalStateException("voteEnded without voteStarted (votes pending " + votesPending + ")");
        }
        votesPending--;
        notifyAll();
    }

    synchronized int appendsInFlight()
    {
        return appendsInFlight;
    }

    synchronized int votesPending()
    {
        return votesPending;
    }
}
