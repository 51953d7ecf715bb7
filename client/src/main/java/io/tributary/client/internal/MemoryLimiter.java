package io.tributary.client.internal;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the bytes of records a producer holds (buffered or in flight) against a limit; a
 * caller waits for room up to a timeout or not at all. Thread-safe.
 */
final class MemoryLimiter
{
    private final long limitBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private long usedBytes;

    MemoryLimiter(final long limitBytes)
    {
        if (limitBytes <= 0)
        {
            throw new IllegalArgumentException("memory limit must be positive, got " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    /** Takes {@code bytes} if they fit now. */
    boolean tryAcquire(final int bytes)
    {
        checkRequest(bytes);
        lock.lock();
        try
        {
            if (usedBytes + bytes > limitBytes)
            {
                return false;
            }
            usedBytes += bytes;
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Takes {@code bytes}, waiting up to {@code timeoutNs} for room; false if there was none in time. */
    boolean acquire(final int bytes, final long timeoutNs) throws InterruptedException
    {
        checkRequest(bytes);
        long remainingNs = timeoutNs;
        lock.lockInterruptibly();
        try
        {
            while (usedBytes + bytes > limitBytes)
            {
                if (remainingNs <= 0)
                {
                    return false;
                }
                remainingNs = released.awaitNanos(remainingNs);
            }
            usedBytes += bytes;
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    void release(final long bytes)
    {
        lock.lock();
        try
        {
            if (bytes < 0 || bytes > usedBytes)
            {
                throw new IllegalStateException("releasing " + bytes + " bytes but only " + usedBytes + " are held");
            }
            usedBytes -= bytes;
            released.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    long usedBytes()
    {
        lock.lock();
        try
        {
            return usedBytes;
        }
        finally
        {
            lock.unlock();
        }
    }

    long limitBytes()
    {
        return limitBytes;
    }

    private void checkRequest(final int bytes)
    {
        if (bytes < 0 || bytes > limitBytes)
        {
            throw new IllegalArgumentException("cannot reserve " + bytes + " bytes of a " + limitBytes
                + "-byte buffer");
        }
    }
}
