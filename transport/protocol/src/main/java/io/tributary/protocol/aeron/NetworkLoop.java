package io.tributary.protocol.aeron;

import java.io.IOException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread per process that moves Aeron traffic. Each turn it runs the embedded media
 * driver's duty cycle (when the driver is in INVOKER mode: no driver threads at all) and polls
 * every registered subscription, then idles ({@link AdaptiveIdleStrategy} by default).
 * <p>
 * Why one thread: with a driver of its own thread(s) and a poller per endpoint, a message crossed
 * three timed polls at the receiver and the sender's driver, each parked up to a millisecond, and
 * on a busy 2-core machine each wake-up also waited for a core (WRITE-PATH.md). Here the receive
 * side is one wake-up, and a sender on any other thread calls {@link #wake()} after it offers, so
 * the driver sends at once instead of at its next timed poll.
 * <p>
 * With nothing to do, the thread waits on the driver's sockets when it can ({@link SocketWait}:
 * an embedded driver in INVOKER mode), so it wakes when a datagram arrives or a sender calls
 * {@link #wake()}, and otherwise idles with the configured strategy.
 * <p>
 * Pollables run on this thread and must not block: hand slow work to an executor. A send from a
 * pollable that meets back-pressure must let the driver run ({@link #idleWhileBackPressured}),
 * since only this thread moves it.
 * <p>
 * The driver's agent invoker is not thread-safe, and Aeron's client invokes it too while it waits
 * for the driver's answer to a command (adding a publication, say) under the client lock; this
 * thread therefore invokes it only while holding that lock, and skips a turn when it is taken.
 */
public final class NetworkLoop implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(NetworkLoop.class);

    /** Something to poll each turn, on the loop's thread. */
    @FunctionalInterface
    public interface Pollable
    {
        /** Polls once without blocking; returns the amount of work done (0: nothing). */
        int poll(long nowNs);
    }

    /** How long {@link #waitForHolder} parks when the driver had nothing to do. */
    static final long HOLDER_WAIT_PARK_NS = TimeUnit.MICROSECONDS.toNanos(20);

    private final String name;
    private final AgentInvoker driverInvoker;
    private final AgentInvoker conductorInvoker;
    private final Lock clientLock;
    private final IdleStrategy idle;
    /** Null when the sockets cannot be watched (external driver, other threading mode), or after a failed wait. */
    private volatile SocketWait socketWait;
    private boolean driverSkipped;
    private final CopyOnWriteArrayList<Pollable> pollables = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long turns;

    /**
     * @param driverInvoker    the embedded driver's shared invoker (INVOKER mode), or null when the driver has threads.
     * @param conductorInvoker the Aeron client conductor's invoker (required by Aeron with a driver invoker), or null
     *                         when the client has its conductor thread.
     * @param clientLock       the Aeron client's lock, held while the driver is invoked.
     * @param socketWait waits on the driver's sockets when there is nothing to do, or null to idle with {@code idle}
     * only; closed with the loop.
     */
    NetworkLoop(final String name, final AgentInvoker driverInvoker, final AgentInvoker conductorInvoker,
        final Lock clientLock, final IdleStrategy idle, final SocketWait socketWait)
    {
        this.socketWait = socketWait;
        this.name = name;
        this.driverInvoker = driverInvoker;
        this.conductorInvoker = conductorInvoker;
        this.clientLock = clientLock;
        this.idle = idle;
        this.thread = new Thread(this::run, "aeron-network-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Polls {@code pollable} every turn from now on. */
    public void register(final Pollable pollable)
    {
        pollables.add(pollable);
        wake();
    }

    public void deregister(final Pollable pollable)
    {
        pollables.remove(pollable);
    }

    /** Ends the current park, so a message just offered leaves now (one unpark; nothing when called on the loop). */
    public void wake()
    {
        if (Thread.currentThread() != thread)
        {
            final SocketWait sockets = socketWait;
            if (sockets != null)
            {
                sockets.wakeup();
            }
            LockSupport.unpark(thread);
        }
    }

    /** Whether the loop waits on the driver's sockets when idle (rather than parking for a set time). */
    public boolean waitsOnSockets()
    {
        return socketWait != null;
    }

    public boolean isLoopThread()
    {
        return Thread.currentThread() == thread;
    }

    /** Whether the loop runs the driver (INVOKER mode). */
    public boolean invokesDriver()
    {
        return driverInvoker != null;
    }

    /**
     * Waits a little for a publication to drain: on the loop's own thread that means running the
     * driver (nothing else would), elsewhere waking the loop and idling with {@code callerIdle}.
     */
    public void idleWhileBackPressured(final IdleStrategy callerIdle)
    {
        if (Thread.currentThread() == thread)
        {
            runDriverOrPause(false);
            return;
        }
        wake();
        callerIdle.idle();
    }

    /**
     * On the loop's own thread, while another thread holds what this one needs (a publication's send lock) and may
     * be waiting for the driver: runs the driver once, and when it had nothing to do, spins or (once
     * {@code parkWhenIdle}) parks for {@link #HOLDER_WAIT_PARK_NS}, so a holder that only needs a CPU gets one (two
     * cores: a spinning loop thread took it).
     */
    public void waitForHolder(final boolean parkWhenIdle)
    {
        assert Thread.currentThread() == thread : "waitForHolder on " + Thread.currentThread().getName() + ", not on "
            + thread.getName() + ": only the loop's thread may run the driver";
        runDriverOrPause(parkWhenIdle);
    }

    /** Runs the driver once; when it had nothing to do, spins once or (with {@code park}) parks briefly. */
    private void runDriverOrPause(final boolean park)
    {
        if (invokeDriver() == 0)
        {
            if (park)
            {
                LockSupport.parkNanos(HOLDER_WAIT_PARK_NS);
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }

    /** Turns completed so far (for tests: a turn after a change has seen it). */
    public long turns()
    {
        return turns;
    }

    private void run()
    {
        int driverOnlyTurns = 0;
        while (running)
        {
            int driverWork = 0;
            int messages = 0;
            try
            {
                driverWork += invokeDriver();
                if (conductorInvoker != null)
                {
                    // The client conductor takes the client lock itself (and skips a turn while it is held).
                    driverWork += conductorInvoker.invoke();
                }
                final long nowNs = System.nanoTime();
                for (final Pollable pollable : pollables)
                {
                    messages += pollable.poll(nowNs);
                }
            }
            catch (final RuntimeException | AssertionError ex)
            {
                if (running)
                {
                    LOG.error("{}: network loop error (continuing)", name, ex);
                }
            }
            turns++;
            // Only messages count as traffic (they keep the parks short); the driver's own work (sending, heartbeats,
            // status messages, timers) earns a few turns without a park, not a busy window: counted as traffic, its
            // periodic housekeeping alone kept an idle node waking thousands of times a second.
            if (messages == 0 && driverWork > 0 && driverOnlyTurns < DRIVER_TURNS_WITHOUT_PARK)
            {
                driverOnlyTurns++;
                continue;
            }
            driverOnlyTurns = 0;
            final SocketWait sockets = socketWait;
            // Only a turn with no work at all waits on the sockets. The driver's own work (a large message leaving
            // fragment by fragment) wakes no socket, so after its turns without a park it parks briefly as before;
            // and a skipped driver turn (the client held the lock) may have left datagrams unread, which would end
            // every wait at once.
            if (sockets != null && messages == 0 && driverWork == 0 && !driverSkipped)
            {
                awaitSockets(sockets);
            }
            else
            {
                idle.idle(messages);
            }
        }
        final SocketWait sockets = socketWait;
        if (sockets != null)
        {
            sockets.close();
        }
    }

    private void awaitSockets(final SocketWait sockets)
    {
        try
        {
            sockets.await(System.nanoTime());
        }
        catch (final IOException | RuntimeException ex)
        {
            socketWait = null;
            sockets.close();
            LOG.warn("{}: waiting on the media driver's sockets failed; the network thread parks between polls from "
                + "now on" + " ({})", name, idle, ex);
        }
    }

    /** Turns run back to back while only the driver has work (a large message leaving fragment by fragment). */
    private static final int DRIVER_TURNS_WITHOUT_PARK = 8;

    private int invokeDriver()
    {
        driverSkipped = false;
        if (driverInvoker == null)
        {
            return 0;
        }
        if (!clientLock.tryLock())
        {
            driverSkipped = true;
            return 0;
        }
        try
        {
            return driverInvoker.invoke();
        }
        finally
        {
            clientLock.unlock();
        }
    }

    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread)
        {
            return;
        }
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive())
        {
            LOG.warn("{}: network loop did not stop within 5 s", name);
        }
    }
}
