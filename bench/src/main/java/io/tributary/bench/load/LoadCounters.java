package io.tributary.bench.load;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Recorder;

/**
 * What the producer threads and their callbacks count, split at the start of measurement:
 * warm-up records go to {@link #warmupLatency}, measured ones to {@link #latency}. Thread-safe.
 */
final class LoadCounters
{
    final Recorder latency = new Recorder(3);
    final Recorder warmupLatency = new Recorder(3);
    final LongAdder intended = new LongAdder();
    /** Every send, warm-up included: the offered rate in the throughput plot. */
    final LongAdder sent = new LongAdder();
    /** Scheduled but never sent before the end: recorded with a lower bound of their latency. */
    final LongAdder unsent = new LongAdder();
    final LongAdder acknowledged = new LongAdder();
    final LongAdder acknowledgedAll = new LongAdder();
    final LongAdder failed = new LongAdder();
    /** Warm-up records answered (acknowledged or failed): what the warm-up's backlog check counts down. */
    final LongAdder warmupAnswered = new LongAdder();
    final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final long measureStartNs;

    LoadCounters(final long measureStartNs)
    {
        this.measureStartNs = measureStartNs;
    }

    boolean measured(final long intendedNs)
    {
        return intendedNs - measureStartNs >= 0;
    }

    /** The one callback of every send: latency from the intended send time. */
    final SendCallback callback = this::onComplete;

    private void onComplete(final long intendedNs, final Throwable error)
    {
        final long latencyNs = System.nanoTime() - intendedNs;
        if (!measured(intendedNs))
        {
            warmupAnswered.increment();
        }
        if (error != null)
        {
            failed(error);
            return;
        }
        acknowledgedAll.increment();
        if (measured(intendedNs))
        {
            acknowledged.increment();
            latency.recordValue(Math.max(0, latencyNs));
        }
        else
        {
            warmupLatency.recordValue(Math.max(0, latencyNs));
        }
    }

    void failed(final Throwable error)
    {
        failed.increment();
        firstError.compareAndSet(null, error);
    }
}
