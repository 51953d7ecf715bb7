package io.tributary.raft.durability;

import java.util.concurrent.TimeUnit;

/**
 * Watches the forces (fsyncs) and writes on observed file channels, and can hold forces: once
 * armed, each force blocks before it starts until released one at a time, so that a test decides
 * which writes a force could cover. A force covers, at most, what was written before it started:
 * the channel position at its start is recorded as its durable position.
 */
public final class ForceGate
{
    private boolean armed;
    private int releases;
    private int held;
    private long heldPosition = -1;
    private long writtenPosition;
    private int forcesCompleted;

    /** From now on, every force waits for {@link #releaseOne()} (or {@link #disarm()}). */
    public synchronized void arm()
    {
        armed = true;
        releases = 0;
    }

    /** Lets every held and future force run. */
    public synchronized void disarm()
    {
        armed = false;
        notifyAll();
    }

    /** Lets one held force run. */
    public synchronized void releaseOne()
    {
        if (held == 0)
        {
            throw new IllegalStateException("no force is held (" + forcesCompleted + " completed, written to "
                + writtenPosition + ")");
        }
        releases++;
        notifyAll();
    }

    /** Waits until a force is held and returns the position its channel was at when the force began. */
    public synchronized long awaitHeld(final long timeoutMs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (held == 0)
        {
            final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (leftMs <= 0)
            {
                throw new IllegalStateException("no force began within " + timeoutMs + " ms (" + forcesCompleted
                    + " completed, written to " + writtenPosition + ")");
            }
            wait(leftMs);
        }
        return heldPosition;
    }

    /** Waits until the observed channels were written up to {@code position}. */
    public synchronized void awaitWritten(final long position, final long timeoutMs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (writtenPosition < position)
        {
            final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (leftMs <= 0)
            {
                throw new IllegalStateException("written to " + writtenPosition + ", not " + position + ", within "
                    + timeoutMs + " ms");
            }
            wait(leftMs);
        }
    }

    public synchronized long writtenPosition()
    {
        return writtenPosition;
    }

    public synchronized int forcesCompleted()
    {
        return forcesCompleted;
    }

    synchronized void written(final long position)
    {
        writtenPosition = Math.max(writtenPosition, position);
        notifyAll();
    }

    /** Called before a force starts; blocks while armed until released. */
    synchronized void beforeForce(final long position) throws InterruptedException
    {
        if (!armed)
        {
            return;
        }
        held++;
        heldPosition = position;
        notifyAll();
        try
        {
            while (armed && releases == 0)
            {
                wait();
            }
            if (releases > 0)
            {
                releases--;
            }
        }
        finally
        {
            held--;
        }
    }

    synchronized void afterForce()
    {
        forcesCompleted++;
        notifyAll();
    }
}
