package io.tributary.protocol.aeron;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * Parks briefly while traffic flows and longer once it stops: the network thread's strategy.
 * <p>
 * Why not Agrona's backoff: it spins and yields before every park (which on a 2-core machine
 * holding four busy JVMs takes CPU from the threads doing the work), and it parks up to 1 ms
 * regardless of recent traffic, so at a few hundred messages per second each message waited a
 * park of up to 1 ms at each of the several threads it crossed. Here, while work was seen within
 * the last {@code activeWindowNs}, an idle call parks {@code activeParkNs} (tens of microseconds:
 * a message arriving then waits about that long); after a quiet window the park doubles up to
 * {@code idleParkNs}, so an idle process wakes about a thousand times a second. Any thread may
 * cut a park short with {@link LockSupport#unpark} (a sender does, so its message leaves at once).
 * <p>
 * Not thread-safe: one instance per thread, as every {@link IdleStrategy}.
 */
public final class AdaptiveIdleStrategy implements IdleStrategy
{
    public static final long DEFAULT_ACTIVE_PARK_NS = TimeUnit.MICROSECONDS.toNanos(20);
    public static final long DEFAULT_IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    public static final long DEFAULT_ACTIVE_WINDOW_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final long activeParkNs;
    private final long idleParkNs;
    private final long activeWindowNs;
    private long lastWorkNs = System.nanoTime();
    private long parkNs;

    public AdaptiveIdleStrategy()
    {
        this(DEFAULT_ACTIVE_PARK_NS, DEFAULT_IDLE_PARK_NS, DEFAULT_ACTIVE_WINDOW_NS);
    }

    public AdaptiveIdleStrategy(final long activeParkNs, final long idleParkNs, final long activeWindowNs)
    {
        if (activeParkNs < 1 || idleParkNs < activeParkNs || activeWindowNs < 0)
        {
            throw new IllegalArgumentException("adaptive idle: need 1 <= activeParkNs (" + activeParkNs
                + ") <= idleParkNs (" + idleParkNs + ") and activeWindowNs (" + activeWindowNs + ") >= 0");
        }
        this.activeParkNs = activeParkNs;
        this.idleParkNs = idleParkNs;
        this.activeWindowNs = activeWindowNs;
        this.parkNs = activeParkNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        final long nowNs = System.nanoTime();
        if (nowNs - lastWorkNs < activeWindowNs)
        {
            parkNs = activeParkNs;
        }
        else
        {
            parkNs = Math.min(idleParkNs, parkNs << 1);
        }
        LockSupport.parkNanos(parkNs);
    }

    @Override
    public void reset()
    {
        lastWorkNs = System.nanoTime();
        parkNs = activeParkNs;
    }

    @Override
    public String alias()
    {
        return IdleStrategies.ADAPTIVE;
    }

    @Override
    public String toString()
    {
        return "AdaptiveIdleStrategy{activeParkNs=" + activeParkNs + ", idleParkNs=" + idleParkNs + ", activeWindowNs="
            + activeWindowNs + "}";
    }
}
