package io.tributary.bench.load;

import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Recorder;
import org.agrona.DirectBuffer;

/**
 * Consumes while the producers run and records, for each record, the time from its intended
 * send time (carried in the value's first 8 bytes) to its consumption: end-to-end latency,
 * coordinated omission corrected like the produce latency. Same JVM, so {@code nanoTime} agrees.
 */
final class EndToEndReader implements Runnable, LoadSource.ValueHandler
{
    final Recorder latency = new Recorder(3);
    final Recorder warmupLatency = new Recorder(3);
    final LongAdder consumed = new LongAdder();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    private final LoadSource source;
    private final long measureStartNs;
    private volatile boolean running = true;

    EndToEndReader(final LoadSource source, final long measureStartNs)
    {
        this.source = source;
        this.measureStartNs = measureStartNs;
    }

    void stop()
    {
        running = false;
    }

    @Override
    public void run()
    {
        try
        {
            while (running)
            {
                source.poll(100, this);
            }
        }
        catch (final Exception e)
        {
            error.set(e);
        }
    }

    @Override
    public void onValue(final DirectBuffer buffer, final int offset, final int length)
    {
        consumed.increment();
        if (length < Long.BYTES)
        {
            return;
        }
        final long intendedNs = buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
        final long latencyNs = Math.max(0, System.nanoTime() - intendedNs);
        if (intendedNs - measureStartNs >= 0)
        {
            latency.recordValue(latencyNs);
        }
        else
        {
            warmupLatency.recordValue(latencyNs);
        }
    }
}
