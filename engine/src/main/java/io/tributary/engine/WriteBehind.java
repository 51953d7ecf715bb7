package io.tributary.engine;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread that writes back the queue files of every registered shard log at a fixed interval
 * ({@link ShardLog#forceWritten()}), so the kernel never holds more than an interval's worth of dirty
 * pages of them. A node runs one; its shard logs register when they open and leave when they close.
 *
 * <p>A failed force is logged (once per log until it succeeds again) and retried at the next pass: it
 * loses nothing, as the Raft log stays the write-ahead log. Thread-safe.
 */
public final class WriteBehind implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(WriteBehind.class.getName());

    private final long intervalNs;
    private final ShardLog.FileForcer forcer;
    private final CopyOnWriteArrayList<ShardLog> logs = new CopyOnWriteArrayList<>();
    private final Set<ShardLog> failing = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long passes;

    /**
     * Starts the thread.
     *
     * @param intervalMs time between two passes over the logs, at least 1.
     * @param name       the thread's name.
     */
    public WriteBehind(final long intervalMs, final String name)
    {
        this(intervalMs, name, ShardLog.FDATASYNC);
    }

    /** As {@link #WriteBehind(long, String)}, forcing each file with {@code forcer} (tests inject failures). */
    public WriteBehind(final long intervalMs, final String name, final ShardLog.FileForcer forcer)
    {
        this.forcer = forcer;
        if (intervalMs < 1)
        {
            throw new IllegalArgumentException("the write-behind interval must be at least 1 ms, got " + intervalMs);
        }
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Writes {@code log} back from the next pass on. */
    public void register(final ShardLog log)
    {
        logs.addIfAbsent(log);
    }

    /** Stops writing {@code log} back (a closed log is skipped anyway). */
    public void unregister(final ShardLog log)
    {
        logs.remove(log);
        failing.remove(log);
    }

    /** Passes completed since the start (for tests and diagnostics). */
    public long passes()
    {
        return passes;
    }

    private void run()
    {
        long nextNs = System.nanoTime() + intervalNs;
        while (running)
        {
            final long waitNs = nextNs - System.nanoTime();
            if (waitNs > 0)
            {
                LockSupport.parkNanos(this, waitNs);
                continue;
            }
            nextNs = System.nanoTime() + intervalNs;
            for (final ShardLog log : logs)
            {
                forceOne(log);
            }
            passes++;
        }
    }

    private void forceOne(final ShardLog log)
    {
        try
        {
            log.forceWritten(forcer);
            if (failing.remove(log))
            {
                LOG.log(System.Logger.Level.INFO, "write-behind of " + log + " works again");
            }
        }
        catch (final IOException | RuntimeException e)
        {
            if (failing.add(log))
            {
                LOG.log(System.Logger.Level.WARNING, "write-behind could not force the queue files of " + log + ": " + e
                    + "; the kernel writes them back on its own, and this thread retries every pass", e);
            }
        }
    }

    /** Stops the thread after its current pass. */
    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        logs.clear();
    }
}
