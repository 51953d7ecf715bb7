package io.tributary.bench.load;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes a sample on its own daemon thread at {@code firstNs} and every second after it, and at
 * each mark (the first sample, and the start and end of the measured interval), so the moments
 * that bound a result are sampled on time and a slow source delays only its own thread. One
 * sample at a time: a tick missed because the source was slow is skipped, and a tick whose sample
 * would still be running when a mark falls due gives way to the mark; a mark is never skipped (at
 * worst it is late). Keeps the latest point and the point of each mark. Thread-safe.
 *
 * @param <T> what one sample holds
 */
final class PeriodicSampler<T> implements AutoCloseable
{
    /** What the thread calls; may throw, which is recorded in the point. */
    @FunctionalInterface
    interface Source<T>
    {
        T sample() throws Exception;
    }

    /**
     * One sample, due at {@code dueNs}; {@code takenNs} is the middle of the call, the moment it
     * best stands for when a call takes long (a cluster's status under load can take a second or
     * more); {@code value} is null and {@code error} set if it failed.
     */
    record Point<T>(long dueNs, long takenNs, T value, String error)
    {
    }

    static final long PERIOD_NS = TimeUnit.SECONDS.toNanos(1);

    private final Source<T> source;
    private final long firstNs;
    /** Marks as offsets from {@code firstNs}, so ordering is safe whatever nanoTime's origin. */
    private final TreeSet<Long> markOffsetsNs = new TreeSet<>();
    private final Thread thread;
    private final Object lock = new Object();
    private final Map<Long, Point<T>> markPoints = new HashMap<>();
    private Point<T> latest;
    private long samples;
    private long failures;
    private long sampleNsTotal;
    private String firstError;
    private volatile boolean running = true;

    PeriodicSampler(final String threadName, final Source<T> source, final long firstNs, final long... marksNs)
    {
        this.source = source;
        this.firstNs = firstNs;
        markOffsetsNs.add(0L); // the first sample is a mark too: the run's starting point
        for (final long markNs : marksNs)
        {
            if (markNs - firstNs < 0)
            {
                throw new IllegalArgumentException("mark " + markNs + " is before the first sample at " + firstNs);
            }
            markOffsetsNs.add(markNs - firstNs);
        }
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    PeriodicSampler<T> start()
    {
        thread.start();
        return this;
    }

    private void run()
    {
        long dueOffsetNs = 0;
        while (running)
        {
            parkUntil(firstNs + dueOffsetNs);
            if (!running)
            {
                return;
            }
            final long startedNs = System.nanoTime();
            T value = null;
            String error = null;
            try
            {
                value = source.sample();
            }
            catch (final Exception e)
            {
                error = String.valueOf(e);
            }
            final long tookNs = System.nanoTime() - startedNs;
            publish(new Point<>(firstNs + dueOffsetNs, startedNs + tookNs / 2, value, error), dueOffsetNs, tookNs);
            // Slow samples vary a lot from one to the next: twice the longer of the last and the mean, to keep marks on
            // time.
            final long sampleNs = 2 * Math.max(tookNs, (long)(sampleMsMean() * 1e6));
            dueOffsetNs = nextDueOffsetNs(dueOffsetNs, System.nanoTime() - firstNs, sampleNs);
        }
    }

    private void publish(final Point<T> point, final long dueOffsetNs, final long tookNs)
    {
        synchronized (lock)
        {
            latest = point;
            samples++;
            sampleNsTotal += tookNs;
            if (point.error() != null)
            {
                failures++;
                if (firstError == null)
                {
                    firstError = point.error();
                }
            }
            if (markOffsetsNs.contains(dueOffsetNs))
            {
                markPoints.put(firstNs + dueOffsetNs, point);
            }
            lock.notifyAll();
        }
    }

    /**
     * The next tick after {@code lastOffsetNs} (the latest one already due if the sample overran),
     * or the next mark if it falls due before that tick's sample, which may take up to
     * {@code sampleNs}, would be over.
     */
    long nextDueOffsetNs(final long lastOffsetNs, final long nowOffsetNs, final long sampleNs)
    {
        long tickNs = (lastOffsetNs / PERIOD_NS + 1) * PERIOD_NS;
        if (nowOffsetNs > tickNs)
        {
            tickNs = nowOffsetNs / PERIOD_NS * PERIOD_NS;
        }
        final Long markNs = markOffsetsNs.higher(lastOffsetNs);
        return markNs != null && markNs < tickNs + sampleNs ? markNs : tickNs;
    }

    private void parkUntil(final long deadlineNs)
    {
        long nowNs = System.nanoTime();
        while (deadlineNs - nowNs > 0 && running && !Thread.currentThread().isInterrupted())
        {
            LockSupport.parkNanos(deadlineNs - nowNs); // pacing the samples, not waiting for a condition
            nowNs = System.nanoTime();
        }
    }

    /**
     * The latest point due at or after {@code dueNs}, waiting up to {@code timeoutNs}; else the latest one (null if
     * none).
     */
    Point<T> await(final long dueNs, final long timeoutNs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        synchronized (lock)
        {
            while ((latest == null || latest.dueNs() - dueNs < 0) && thread.isAlive())
            {
                final long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0)
                {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, leftNs);
            }
            return latest;
        }
    }

    /** The point of mark {@code markNs}, waiting up to {@code timeoutNs}; null if it was not taken by then. */
    Point<T> awaitMark(final long markNs, final long timeoutNs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        synchronized (lock)
        {
            while (!markPoints.containsKey(markNs) && thread.isAlive())
            {
                final long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0)
                {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, leftNs);
            }
            return markPoints.get(markNs);
        }
    }

    long samples()
    {
        synchronized (lock)
        {
            return samples;
        }
    }

    long failures()
    {
        synchronized (lock)
        {
            return failures;
        }
    }

    String firstError()
    {
        synchronized (lock)
        {
            return firstError;
        }
    }

    /** Mean time one sample took, in milliseconds: what the sampling costs the run. */
    double sampleMsMean()
    {
        synchronized (lock)
        {
            return samples == 0 ? Double.NaN : sampleNsTotal / 1e6 / samples;
        }
    }

    /** Stops the thread, waiting up to 10 s for a sample in progress to finish. */
    @Override
    public void close()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive())
            {
                thread.interrupt(); // a source stuck in I/O; the run is over, its point is not needed
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
        }
        catch (final InterruptedException e)
        {
            thread.interrupt();
            Thread.currentThread().interrupt();
        }
    }
}
