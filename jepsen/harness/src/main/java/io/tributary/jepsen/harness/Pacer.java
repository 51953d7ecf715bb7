package io.tributary.jepsen.harness;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Spreads operations over time at a fixed total rate, shared by every client thread: slot n starts
 * at {@code start + n / rate}. A thread that was stuck (a slow operation) does not get a burst of
 * missed slots: slots more than a second late are dropped.
 */
final class Pacer
{
    private final long startNs;
    private final double intervalNs;
    private final AtomicLong nextSlot = new AtomicLong();

    Pacer(final double opsPerSecond)
    {
        if (!(opsPerSecond > 0))
        {
            throw new IllegalArgumentException("rate must be > 0 operations/s, got " + opsPerSecond);
        }
        this.startNs = System.nanoTime();
        this.intervalNs = TimeUnit.SECONDS.toNanos(1) / opsPerSecond;
    }

    /** Waits for the next free slot; returns false if {@code deadlineNs} passes first. */
    boolean await(final long deadlineNs)
    {
        final long lateSlots = (long)(TimeUnit.SECONDS.toNanos(1) / intervalNs);
        final long nowSlot = (long)((System.nanoTime() - startNs) / intervalNs);
        long slot = nextSlot.getAndIncrement();
        if (slot < nowSlot - lateSlots)
        {
            nextSlot.accumulateAndGet(nowSlot, Math::max);
            slot = nextSlot.getAndIncrement();
        }
        final long slotNs = startNs + (long)(slot * intervalNs);
        while (true)
        {
            final long waitNs = slotNs - System.nanoTime();
            if (waitNs <= 0)
            {
                return System.nanoTime() - deadlineNs < 0;
            }
            if (slotNs - deadlineNs > 0)
            {
                LockSupport.parkNanos(Math.max(0, deadlineNs - System.nanoTime()));
                return false;
            }
            LockSupport.parkNanos(waitNs);
        }
    }
}
