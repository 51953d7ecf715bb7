package io.tributary.raft.frontend;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * How long a shard's next Raft entry waits after its previous one, from how busy the machine's CPU
 * is: nothing while it has room, up to {@code intervalMaxNs} as it saturates.
 * <p>
 * Why: a shard forms an entry whenever an in-flight slot frees, so under load the entry rate rises
 * until the CPU is saturated, and then every entry's hand-offs queue for the CPU. A Raft entry costs
 * about 1-1.4 ms of CPU over the four processes of a local cluster whatever it carries (measured at
 * 20,000 records/s, docs/benchmarks.md "2026-12-06"), so the same records in fewer, larger entries
 * cost less: with a fixed 10 ms between a shard's entries, 20,000 records/s took 71 instead of 96 us
 * of CPU per record and its p99 fell from 79 to 57 ms. A fixed interval would delay low rates for
 * nothing (200 records/s wants each record in its own entry at once), hence the CPU as the signal:
 * entries are spaced only while the CPU is the bottleneck, which is when spacing them helps.
 * <p>
 * The load is sampled every {@link #SAMPLE_PERIOD_MS}, smoothed, and mapped linearly from no wait at
 * {@link #LOAD_LOW} to {@code intervalMaxNs} at {@link #LOAD_HIGH}: a proportional rule, so the
 * interval settles where the load it leaves equals the load that asks for it, without the
 * oscillation of an on/off threshold.
 */
final class EntryPacer
{
    /** Machine CPU load (0..1) below which entries are not spaced at all. */
    static final double LOAD_LOW = 0.60;
    /** Machine CPU load at and above which entries are spaced {@code intervalMaxNs}. */
    static final double LOAD_HIGH = 0.90;
    static final long SAMPLE_PERIOD_MS = 100;
    /** Weight of the newest sample: a single busy 100 ms (a GC, a compile) moves the interval half way, not all. */
    static final double NEWEST_WEIGHT = 0.5;
    /** Intervals shorter than this are not worth a timer: no wait. */
    static final long INTERVAL_MIN_NS = TimeUnit.MICROSECONDS.toNanos(200);

    private final long intervalMaxNs;
    private final DoubleSupplier cpuLoad;
    private double smoothedLoad;
    private volatile long intervalNs;

    /**
     * @param intervalMaxNs the longest wait between a shard's entries; 0 turns pacing off.
     * @param cpuLoad       the machine's CPU load since the previous call, 0..1 (negative when unknown: no pacing).
     */
    EntryPacer(final long intervalMaxNs, final DoubleSupplier cpuLoad)
    {
        if (intervalMaxNs < 0)
        {
            throw new IllegalArgumentException("entry pacing: the longest interval must be >= 0, was " + intervalMaxNs
                + " ns");
        }
        this.intervalMaxNs = intervalMaxNs;
        this.cpuLoad = cpuLoad;
    }

    /** Paced by this machine's CPU load as the JVM reports it (cgroup-aware), or not at all where it cannot. */
    static EntryPacer forMachine(final long intervalMaxNs)
    {
        // The JDK's own bean (com.sun.management) has the machine's CPU load; another JVM's may not.
        if (intervalMaxNs == 0
            || !(ManagementFactory.getOperatingSystemMXBean() instanceof final OperatingSystemMXBean os))
        {
            return new EntryPacer(0, () -> -1);
        }
        return new EntryPacer(intervalMaxNs, os::getCpuLoad);
    }

    /** Whether pacing can ever space entries (worth sampling). */
    boolean enabled()
    {
        return intervalMaxNs > 0;
    }

    /** The wait between a shard's entries now: 0 or at least {@link #INTERVAL_MIN_NS}. Any thread. */
    long intervalNs()
    {
        return intervalNs;
    }

    /** Takes a load sample and sets the interval; every {@link #SAMPLE_PERIOD_MS}, on one thread. */
    void sample()
    {
        final double load = cpuLoad.getAsDouble();
        if (!(load >= 0))
        {
            // Unknown (NaN or negative): never pace on a guess.
            smoothedLoad = 0;
            intervalNs = 0;
            return;
        }
        smoothedLoad = NEWEST_WEIGHT * Math.min(load, 1.0) + (1 - NEWEST_WEIGHT) * smoothedLoad;
        intervalNs = intervalFor(smoothedLoad, intervalMaxNs);
    }

    /** The interval for a (smoothed) load: 0 up to LOAD_LOW, linear to {@code intervalMaxNs} at LOAD_HIGH. */
    static long intervalFor(final double load, final long intervalMaxNs)
    {
        final double share = Math.max(0, Math.min(1, (load - LOAD_LOW) / (LOAD_HIGH - LOAD_LOW)));
        final long ns = (long)(share * intervalMaxNs);
        return ns < INTERVAL_MIN_NS ? 0 : ns;
    }
}
