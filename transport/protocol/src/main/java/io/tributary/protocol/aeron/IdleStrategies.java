package io.tributary.protocol.aeron;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * Idle strategies by name, for configuration. Each call returns a new instance (strategies hold
 * per-thread state and must not be shared between threads).
 * <p>
 * The network thread uses {@code sockets} by default (not valid for the others), {@code adaptive} where it cannot. On a
 * small machine use {@code backoff} (spins, yields, then parks up to 1 ms: about 150 us loopback round trips for ~10%
 * of a core when idle) or {@code sleeping} (1 ms). {@code yielding} and {@code busy-spin} give ~11 us but hold a core
 * each.
 */
public final class IdleStrategies
{
    public static final String BACKOFF = "backoff";
    public static final String SLEEPING = "sleeping";
    public static final String YIELDING = "yielding";
    public static final String BUSY_SPIN = "busy-spin";
    public static final String NO_OP = "noop";
    /** Short parks while traffic flows, up to 1 ms once idle: see {@link AdaptiveIdleStrategy}. */
    public static final String ADAPTIVE = "adaptive";
    /**
     * The network thread only: waits on the embedded driver's sockets (epoll) until a datagram or a sender's wake-up,
     * at most {@code idle.network.idle.park.us}; {@code adaptive} where that is impossible. See {@link SocketWait}.
     */
    public static final String SOCKETS = "sockets";

    private static final String NAMES = ADAPTIVE + ", " + BACKOFF + ", " + SLEEPING + ", " + YIELDING + ", " + BUSY_SPIN
        + ", " + NO_OP;

    private IdleStrategies()
    {
    }

    /**
     * @throws IllegalArgumentException for an unknown name, listing the known ones.
     */
    public static IdleStrategy create(final String name)
    {
        final String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (key)
        {
            case BACKOFF -> new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(1));
            case SLEEPING -> new SleepingMillisIdleStrategy(1);
            case YIELDING -> new YieldingIdleStrategy();
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case NO_OP -> new NoOpIdleStrategy();
            case ADAPTIVE -> new AdaptiveIdleStrategy();
            default -> throw new IllegalArgumentException(
                "Aeron transport: unknown idle strategy '" + name + "'; use one of " + NAMES
                    + " (backoff suits small machines; idle.network also takes " + SOCKETS + ")");
        };
    }

    /** Throws the same exception as {@link #create(String)} for an unknown name. */
    public static void validate(final String name)
    {
        create(name);
    }
}
