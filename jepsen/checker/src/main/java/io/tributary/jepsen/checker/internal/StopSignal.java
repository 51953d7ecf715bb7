package io.tributary.jepsen.checker.internal;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Tells every search of one check when to stop: at the deadline, or when cancelled because another
 * partition already proved the history illegal. Searches poll it every few thousand steps, so it must be
 * cheap: a volatile read, and a clock read only when there is a deadline. Thread-safe.
 */
public final class StopSignal
{
    private final LongSupplier clockNs;
    private final long deadlineNs;
    private final boolean hasDeadline;
    private volatile boolean cancelled;

    private StopSignal(final LongSupplier clockNs, final long deadlineNs, final boolean hasDeadline)
    {
        this.clockNs = clockNs;
        this.deadlineNs = deadlineNs;
        this.hasDeadline = hasDeadline;
    }

    /** A signal whose deadline is {@code timeout} from now; a zero timeout means no deadline. */
    public static StopSignal startingNow(final LongSupplier clockNs, final Duration timeout)
    {
        if (timeout.isNegative())
        {
            throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
        }
        long nowNs = clockNs.getAsLong();
        if (timeout.isZero())
        {
            return new StopSignal(clockNs, nowNs, false);
        }
        long timeoutNs = timeout.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos()
            : timeout.toNanos();
        return new StopSignal(clockNs, nowNs + timeoutNs, true);
    }

    public boolean shouldStop()
    {
        return cancelled || deadlinePassed();
    }

    public boolean deadlinePassed()
    {
        return hasDeadline && clockNs.getAsLong() - deadlineNs >= 0;
    }

    public void cancel()
    {
        cancelled = true;
    }

    /** Nanoseconds until the deadline, at least 0; {@code Long.MAX_VALUE} without one. */
    public long remainingNs()
    {
        return hasDeadline ? Math.max(0, deadlineNs - clockNs.getAsLong()) : Long.MAX_VALUE;
    }

    /** Why a search that saw {@link #shouldStop()} stopped. */
    String reason()
    {
        return deadlinePassed() ? "timed out" : "not finished: another partition was found not linearizable first";
    }
}
