package io.tributary.jepsen.checker.internal;

import io.tributary.jepsen.checker.CheckResult;
import io.tributary.jepsen.checker.Model;
import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.checker.PartitionAnalysis;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Checks partitions in parallel (P-compositionality). The first illegal partition cancels the rest: the
 * verdict is known, and a partition that is hard to decide may take exponential time (in explain mode the
 * cancelled ones are still explained as far as their search got).
 *
 * <p>A check starts {@code min(threads, partitions)} workers that take partitions in turn. The searches
 * poll the stop signal themselves; the caller also stops waiting at the deadline (plus a short grace for
 * searches to notice), so a model step that never returns cannot hold it past its timeout. Workers run on
 * a shared pool of daemon threads, reused across checks because thread creation dominated the cost of
 * checking small histories; idle threads exit after a few seconds. Thread-safe.
 */
public final class PartitionRunner
{
    /** Time for searches to notice a stop: they poll every thousand steps, microseconds apart. */
    private static final long STOP_GRACE_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long IDLE_THREAD_SECONDS = 5;
    private static final ExecutorService POOL = newPool();

    private PartitionRunner()
{
    }

    public static <S, I, O> List<PartitionAnalysis<I,
        O>> run(final Model<S, I, O> model, final List<List<Operation<I, O>>> partitions,
                                                               final StopSignal stop, final int threads,
                                                                   final long cacheBytesMax,
                                                               final boolean explain)
    {
        int count = partitions.size();
        AtomicReferenceArray<PartitionAnalysis<I, O>> results = new AtomicReferenceArray<>(count);
        BlockingQueue<Object> finished = new LinkedBlockingQueue<>();
        AtomicInteger next = new AtomicInteger();
        int workers = Math.min(threads, count);
        // The bound covers every search running at once: one partition alone may use all of it.
        long cacheBytesPerSearch = Math.max(1, cacheBytesMax / Math.max(1, workers));
        CountDownLatch workersDone = new CountDownLatch(workers);
        for (int w = 0; w < workers; w++)
        {
            POOL.execute(() ->
            {
                try
                {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement())
                    {
                        results.set(i, new PartitionCheck<>(i, model, partitions.get(i), stop, cacheBytesPerSearch,
                            explain).call());
                        finished.add(results.get(i));
                    }
                }
                catch (final RuntimeException | Error e)
                {
                    stop.cancel();
                    finished.add(e);
                }
                finally
                {
                    workersDone.countDown();
                }
            });
        }
        Throwable failure = awaitVerdict(finished, count, stop);
        stop.cancel();
        awaitWorkers(workersDone);
        if (failure != null)
        {
            rethrow(failure);
        }
        List<PartitionAnalysis<I, O>> analyses = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            PartitionAnalysis<I, O> result = results.get(i);
            analyses.add(result != null ? result : abandoned(i, partitions.get(i)));
        }
        return analyses;
    }

    /** Waits until every partition is done, one is illegal, a worker failed, or the deadline passed. */
    private static Throwable awaitVerdict(final BlockingQueue<Object> finished, final int count, final StopSignal stop)
    {
        for (int done = 0; done < count; done++)
        {
            Object next = poll(finished, stop);
            if (next == null)
            {
                return null;
            }
            if (next instanceof Throwable)
            {
                return (Throwable) next;
            }
            if (((PartitionAnalysis<?, ?>) next).result() == CheckResult.ILLEGAL)
            {
                return null;
            }
        }
        return null;
    }

    private static Object poll(final BlockingQueue<Object> finished, final StopSignal stop)
    {
        try
        {
            long remainingNs = stop.remainingNs();
            if (remainingNs == Long.MAX_VALUE)
            {
                return finished.take();
            }
            return finished.poll(remainingNs + STOP_GRACE_NS, TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking partitions", e);
        }
    }

    private static void awaitWorkers(final CountDownLatch workersDone)
    {
        try
        {
            workersDone.await(STOP_GRACE_NS, TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping partition checks", e);
        }
    }

    private static void rethrow(final Throwable failure)
    {
        if (failure instanceof Error)
        {
            throw (Error) failure;
        }
        throw (RuntimeException) failure;
    }

    /** A partition whose worker did not finish within the grace after the stop: a model step that hangs. */
    private static <I, O> PartitionAnalysis<I, O> abandoned(final int index, final List<Operation<I, O>> operations)
    {
        SearchOutcome outcome = new SearchOutcome(CheckResult.UNKNOWN,
            "not finished: its search did not stop in time (does a model step hang?)", List.of(), 0);
        return PartitionCheck.notExplained(index, outcome, operations);
    }

    private static ExecutorService newPool()
    {
        AtomicInteger threadNumber = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_THREAD_SECONDS, TimeUnit.SECONDS,
            new SynchronousQueue<>(), runnable ->
            {
                Thread thread = new Thread(runnable, "tributary-checker-" + threadNumber.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        return pool;
    }
}
