package io.tributary.transport.rpc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of requests a server has accepted and not yet run, bounded: the queues of lanes and of the
 * blocking executor are bounded in count, but a request may be megabytes (an appendEntries batch, a
 * snapshot chunk, up to the transport's message limit), so a count alone bounds nothing in memory.
 * Thread-safe.
 */
final class ByteBudget
{
    private final long maxBytes;
    private final AtomicLong queuedBytes = new AtomicLong();

    ByteBudget(final long maxBytes)
    {
        if (maxBytes < 1)
        {
            throw new IllegalArgumentException("the byte budget must be at least 1, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /**
     * Takes {@code bytes} if they fit, else nothing. One request larger than the whole budget is taken when
     * nothing else is queued, so a legal message is never refused forever.
     */
    boolean tryAcquire(final int bytes)
    {
        while (true)
        {
            final long queued = queuedBytes.get();
            if (queued + bytes > maxBytes && queued > 0)
            {
                return false;
            }
            if (queuedBytes.compareAndSet(queued, queued + bytes))
            {
                return true;
            }
        }
    }

    void release(final int bytes)
    {
        final long left = queuedBytes.addAndGet(-bytes);
        assert left >= 0 : "released more than acquired: " + left;
    }

    long queuedBytes()
    {
        return queuedBytes.get();
    }

    long maxBytes()
    {
        return maxBytes;
    }
}
