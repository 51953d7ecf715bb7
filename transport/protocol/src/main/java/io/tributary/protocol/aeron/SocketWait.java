package io.tributary.protocol.aeron;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.agrona.CloseHelper;

/**
 * Lets the network thread sleep in the kernel until a datagram reaches one of the embedded
 * driver's sockets (or another thread calls {@link #wakeup()}), instead of parking for a guessed
 * time and polling again.
 * <p>
 * Why: parked 20 us at a time while traffic flowed, each node's network thread woke about 7,500
 * times a second at 200 records/s and took 0.17 cores doing it, on a 2-core machine where four
 * such processes then left every other thread of a write waiting for a core (docs/benchmarks.md).
 * Waiting on the sockets costs one wake-up per burst of datagrams, and a datagram still ends the
 * wait at once.
 * <p>
 * How: the driver's receive and control sockets are registered, read interest only, with a
 * selector of our own. A channel may belong to several selectors; ours is only ever used to
 * wait, never to read, so the driver's own polling is untouched. The driver's selectors are
 * read for their channels (their key sets are concurrent), again when their number changes and
 * at least every {@link #RESYNC_INTERVAL_NS}. A wait also ends after {@code timeoutMs}, so that
 * the driver's timers (heartbeats, status messages, liveness) keep running, as they did with the
 * longest park before.
 * <p>
 * Only the network thread calls {@link #await}; any thread may call {@link #wakeup()}. A
 * wake-up that comes while the thread is not waiting ends its next wait at once, as an unpark
 * permit would, so none is lost.
 */
final class SocketWait implements AutoCloseable
{
    /** Backstop for a channel replaced by another between two looks (the count then stays the same). */
    static final long RESYNC_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Consumer<SelectionKey> IGNORE_READY = key -> { };

    private final Selector[] driverSelectors;
    private final Selector selector;
    private final long timeoutMs;
    private int driverKeysSeen = -1;
    private long lastSyncNs;
    /** Written by the network thread only; volatile so that tests and diagnostics may read it. */
    private volatile long waits;

    private SocketWait(final Selector[] driverSelectors, final Selector selector, final long timeoutMs)
    {
        this.driverSelectors = driverSelectors;
        this.selector = selector;
        this.timeoutMs = timeoutMs;
    }

    /**
     * @param driverSelectors the embedded driver's selectors (receive and control), whose channels are watched.
     * @param timeoutMs       the longest wait, at least 1 (a selector counts in milliseconds).
     */
    static SocketWait open(final Selector[] driverSelectors, final long timeoutMs) throws IOException
    {
        if (driverSelectors.length == 0 || timeoutMs < 1)
        {
            throw new IllegalArgumentException("socket wait: need at least one driver selector (got "
                + driverSelectors.length + ") and timeoutMs >= 1 (got " + timeoutMs + ")");
        }
        return new SocketWait(driverSelectors.clone(), Selector.open(), timeoutMs);
    }

    /**
     * Waits until a watched socket has a datagram, {@link #wakeup()} is called (or was, since the
     * last wait), or the timeout passes. Returns the number of sockets found ready.
     */
    int await(final long nowNs) throws IOException
    {
        syncChannels(nowNs);
        waits++;
        return selector.select(IGNORE_READY, timeoutMs);
    }

    /** Ends the current or the next wait (any thread). */
    void wakeup()
    {
        selector.wakeup();
    }

    /** Sockets watched now (for tests and diagnostics; the selector's key set is concurrent). */
    int watchedSockets()
    {
        return selector.keys().size();
    }

    /** Waits begun so far (any thread). */
    long waits()
    {
        return waits;
    }

    private void syncChannels(final long nowNs)
    {
        int driverKeys = 0;
        for (final Selector driverSelector : driverSelectors)
        {
            driverKeys += driverSelector.keys().size();
        }
        if (driverKeys == driverKeysSeen && nowNs - lastSyncNs < RESYNC_INTERVAL_NS)
        {
            return;
        }
        driverKeysSeen = driverKeys;
        lastSyncNs = nowNs;
        for (final Selector driverSelector : driverSelectors)
        {
            for (final SelectionKey key : driverSelector.keys())
            {
                watch(key.channel());
            }
        }
    }

    private void watch(final SelectableChannel channel)
    {
        if (!channel.isOpen() || channel.keyFor(selector) != null)
        {
            return;
        }
        try
        {
            channel.register(selector, SelectionKey.OP_READ);
        }
        catch (final ClosedChannelException | CancelledKeyException | IllegalBlockingModeException |
            ClosedSelectorException ex)
        {
            // Closed or being closed by the driver meanwhile: nothing to watch.
        }
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(selector);
    }
}
