package io.tributary.transport.rpc;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One Raft group's fence, on a follower, around the appendEntries Ratis has accepted but not yet
 * written: Ratis 3.3 checks an appendEntries under the division's lock and appends its entries
 * later, on its server executor. Two decisions must not be taken while such entries are pending
 * (docs/ARCHITECTURE.md, "Two Ratis follower races"):
 * <ul>
 * <li>a heartbeat: Ratis raises the commit index from it at once, over a flushed log that may still
 * hold older entries at the indexes the pending append will replace, and applies those (seen as
 * AeronLogAppenderTest's restarted old leader applying one entry more than its peers);</li>
 * <li>a vote: Ratis compares the candidate with a log that lacks the pending entries, may grant
 * it, and then acknowledges those entries to the old leader in the old term.</li>
 * </ul>
 * So a heartbeat waits until no append is in flight; a vote does too, and holds back appends that
 * arrive meanwhile. Every wait is bounded: on timeout the request is refused, which the leader or
 * candidate retries as a lost reply. Delaying either costs only time.
 * <p>
 * Thread-safe; blocking by design: appends wait on a group's lane, votes on the blocking executor.
 */
final class VoteFence
{
    private int appendsInFlight;
    private int votesPending;
    // Conditions made once per fence, so a wait allocates nothing (one check per appendEntries).
    private final BooleanSupplier dataMayStart = () -> votesPending == 0;
    private final BooleanSupplier heartbeatMayStart = () -> votesPending == 0 && appendsInFlight == 0;
    private final BooleanSupplier voteMayStart = () -> appendsInFlight == 0;

    /**
     * Before an appendEntries goes to Ratis: waits while a vote is pending and, for a heartbeat, while
     * earlier appends are in flight; then counts it in flight.
     *
     * @return false if it still had to wait after {@code timeoutNs} (the append must be refused, not sent).
     */
    synchronized boolean appendStarted(final boolean heartbeat, final long timeoutNs) throws InterruptedException
    {
        if (!awaitUntil(heartbeat ? heartbeatMayStart : dataMayStart, timeoutNs))
        {
            return false;
        }
        appendsInFlight++;
        return true;
    }

    /** When Ratis's future for an appendEntries completed (its entries are in the log, or it was refused). */
    synchronized void appendEnded()
    {
        if (appendsInFlight <= 0)
        {
            throw new IllegalStateException("appendEnded without appendStarted (appends in flight " + appendsInFlight
                + ")");
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
        boolean clear = false;
        try
        {
            clear = awaitUntil(voteMayStart, timeoutNs);
            return clear;
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

    /** Under this monitor: waits until {@code condition} holds, at most {@code timeoutNs}; true if it holds. */
    private boolean awaitUntil(final BooleanSupplier condition, final long timeoutNs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (!condition.getAsBoolean())
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
}
