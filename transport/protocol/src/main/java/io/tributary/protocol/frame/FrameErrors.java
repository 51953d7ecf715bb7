package io.tributary.protocol.frame;

import java.util.concurrent.atomic.AtomicLongArray;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters of dropped frames by {@link FrameError}, and their error log. Logging is bounded: the
 * first {@value #LOG_FIRST} of each kind, then every {@value #LOG_EVERY}th, so a flood of bad
 * datagrams cannot flood the log. Thread-safe.
 */
public final class FrameErrors
{
    static final int LOG_FIRST = 10;
    static final int LOG_EVERY = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(FrameErrors.class);

    /** Optional observer, e.g. for tests or metrics. */
    @FunctionalInterface
    public interface Listener
    {
        void onError(FrameError error, long sourceId, String detail);
    }

    private final String name;
    private final AtomicLongArray counts = new AtomicLongArray(FrameError.values().length);
    private final Listener listener;

    public FrameErrors(final String name)
    {
        this(name, null);
    }

    public FrameErrors(final String name, final Listener listener)
    {
        this.name = name;
        this.listener = listener;
    }

    /**
     * Counts a dropped frame or message and logs it (bounded).
     *
     * @param sourceId the sender (Aeron session id), or -1 if unknown.
     * @param detail   the values involved; built only by callers on the error path.
     */
    public void record(final FrameError error, final long sourceId, final String detail)
    {
        final long count = counts.incrementAndGet(error.ordinal());
        if (count <= LOG_FIRST || count % LOG_EVERY == 0)
        {
            LOG.error("{}: dropped {} from source {}: {}; {} (occurrence {})", name, error, sourceId, detail,
                error.hint(), count);
        }
        if (listener != null)
        {
            listener.onError(error, sourceId, detail);
        }
    }

    public long count(final FrameError error)
    {
        return counts.get(error.ordinal());
    }

    /** Sum over every kind. */
    public long total()
    {
        long total = 0;
        for (int i = 0; i < counts.length(); i++)
        {
            total += counts.get(i);
        }
        return total;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(name).append('{');
        for (final FrameError error : FrameError.values())
        {
            final long count = counts.get(error.ordinal());
            if (count != 0)
            {
                sb.append(error).append('=').append(count).append(' ');
            }
        }
        return sb.append('}').toString();
    }
}
