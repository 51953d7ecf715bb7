package io.tributary.bench.load;

import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One load thread: sends records to its own {@link LoadTarget}. At a fixed rate it follows a
 * schedule of intended send times and never waits for acknowledgements (open loop, as wrk2): a
 * stalled system shows up as latency of every record scheduled during the stall. In max mode it
 * sends as fast as the target accepts. The first 8 bytes of each value carry the intended send
 * time, for end-to-end latency.
 * <p>
 * A loop wakes at most once per {@link #PACING_TICK_NS} and then sends every record whose time has
 * come: parking for each record of a fast schedule (every 150 us at 20,000 records/s over three
 * threads) cost the load generator 0.2 cores of a 2-core machine in timer wake-ups, CPU taken from
 * the system it measures. A record sent up to a tick late counts that lateness in its latency (it is
 * measured from its intended time), so the schedule stays honest; schedules slower than one record
 * per tick are paced record by record, as before.
 */
final class ProducerLoop implements Runnable
{
    /**
     * After the end, a record scheduled before it is still sent if the loop is less than this behind it (its lateness
     * counts in its latency): a sender a few microseconds late at the deadline is not "falling behind". A loop
     * further behind stops and counts the rest as unsent.
     */
    static final long LATE_SEND_GRACE_NS = TimeUnit.SECONDS.toNanos(1);

    /** The shortest park of a fixed-rate loop: records due within it go out together after it. */
    static final long PACING_TICK_NS = TimeUnit.MICROSECONDS.toNanos(500);

    private final LoadTarget target;
    private final KeyChooser keys;
    private final byte[] value;
    private final UnsafeBuffer valueBuffer;
    private final boolean fixedRate;
    private final long firstIntendedNs;
    private final double periodNs;
    private final long endNs;
    private final LoadCounters counters;

    ProducerLoop(final LoadTarget target, final KeyChooser keys, final int valueBytes, final long seed,
        final boolean fixedRate, final long firstIntendedNs, final double periodNs, final long endNs,
        final LoadCounters counters)
    {
        this.target = target;
        this.keys = keys;
        this.value = new byte[valueBytes];
        new SplittableRandom(seed).nextBytes(value); // incompressible, like sensor payloads after encoding
        this.valueBuffer = new UnsafeBuffer(value);
        this.fixedRate = fixedRate;
        this.firstIntendedNs = firstIntendedNs;
        this.periodNs = periodNs;
        this.endNs = endNs;
        this.counters = counters;
    }

    @Override
    public void run()
    {
        try
        {
            parkUntil(firstIntendedNs); // max mode too: nothing is sent before the phase starts
            long wokeNs = System.nanoTime();
            for (long i = 0; ; i++)
            {
                long nowNs = System.nanoTime();
                final long intendedNs = fixedRate ? firstIntendedNs + (long)(i * periodNs) : nowNs;
                if (intendedNs - endNs >= 0)
                {
                    break;
                }
                if (nowNs - endNs >= 0 && nowNs - intendedNs > LATE_SEND_GRACE_NS)
                {
                    recordUnsent(i, nowNs);
                    break;
                }
                if (intendedNs - nowNs > 0)
                {
                    // Not before a tick has passed since the last wake-up: the records due by then go together.
                    final long tickEndNs = wokeNs + PACING_TICK_NS;
                    parkUntil(tickEndNs - intendedNs > 0 ? tickEndNs : intendedNs);
                    wokeNs = System.nanoTime();
                }
                send(intendedNs);
            }
            target.flush();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        catch (final Exception e)
        {
            counters.failed(e);
        }
    }

    private static void parkUntil(final long deadlineNs)
    {
        long nowNs = System.nanoTime();
        while (deadlineNs - nowNs > 0)
        {
            LockSupport.parkNanos(deadlineNs - nowNs); // pacing the schedule, not waiting for a condition
            nowNs = System.nanoTime();
        }
    }

    /**
     * Time is up but the schedule is not done (the sender was held back): each record never sent
     * is recorded with the latency it has at least, now minus its intended time, so falling
     * behind makes the tail worse instead of silently dropping the slowest records.
     */
    private void recordUnsent(final long firstUnsent, final long nowNs)
    {
        for (long i = firstUnsent; ; i++)
        {
            final long intendedNs = firstIntendedNs + (long)(i * periodNs);
            if (intendedNs - endNs >= 0)
            {
                return;
            }
            if (counters.measured(intendedNs))
            {
                counters.intended.increment();
                counters.unsent.increment();
                counters.latency.recordValue(Math.max(0, nowNs - intendedNs));
            }
        }
    }

    private void send(final long intendedNs) throws Exception
    {
        if (counters.measured(intendedNs))
        {
            counters.intended.increment();
        }
        counters.sent.increment();
        if (value.length >= Long.BYTES)
        {
            valueBuffer.putLong(0, intendedNs, ByteOrder.LITTLE_ENDIAN);
        }
        try
        {
            target.send(keys.next(), value, intendedNs, counters.callback);
        }
        catch (final InterruptedException e)
        {
            throw e;
        }
        catch (final Exception e)
        {
            counters.failed(e);
        }
    }
}
