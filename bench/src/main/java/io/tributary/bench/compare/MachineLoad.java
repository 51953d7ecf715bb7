package io.tributary.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.tributary.bench.load.ProcStat;

/**
 * The machine's load while a run executes: every second the 1-minute load average from
 * {@code /proc/loadavg} and the CPU busy share from {@code /proc/stat} deltas (all cores; busy is
 * everything but idle and iowait). Linux only: elsewhere {@link #stop()} returns {@link Sample#NONE}.
 * Started and stopped by one thread; sampling runs on its own daemon thread.
 */
public final class MachineLoad
{
    /** Mean CPU busy percent and maximum 1-minute load average over a run; NaN when not measured. */
    public record Sample(double cpuBusyPercentMean, double loadAverageMax, int samples)
    {
        public static final Sample NONE = new Sample(Double.NaN, Double.NaN, 0);
    }

    private static final Path LOADAVG = Path.of("/proc/loadavg");
    private static final Path STAT = Path.of("/proc/stat");

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r ->
    {
        final Thread thread = new Thread(r, "machine-load");
        thread.setDaemon(true);
        return thread;
    });
    private final Object lock = new Object();
    private long[] lastCpu;
    private double busyPercentSum;
    private int busySamples;
    private double loadMax = Double.NaN;

    private MachineLoad()
    {
    }

    public static MachineLoad start()
    {
        final MachineLoad load = new MachineLoad();
        if (Files.isReadable(STAT) && Files.isReadable(LOADAVG))
        {
            load.lastCpu = readCpu();
            load.timer.scheduleAtFixedRate(load::sample, 1, 1, TimeUnit.SECONDS);
        }
        return load;
    }

    /** The sample so far, without stopping. */
    Sample peek()
    {
        synchronized (lock)
        {
            return busySamples == 0 ? Sample.NONE : new Sample(busyPercentSum / busySamples, loadMax, busySamples);
        }
    }

    public Sample stop()
    {
        timer.shutdownNow();
        try
        {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        return peek();
    }

    private void sample()
    {
        final long[] cpu = readCpu();
        final double loadAverage = readLoadAverage();
        synchronized (lock)
        {
            if (cpu != null && lastCpu != null)
            {
                final double busy = busyPercent(lastCpu, cpu);
                if (!Double.isNaN(busy))
                {
                    busyPercentSum += busy;
                    busySamples++;
                }
            }
            lastCpu = cpu;
            if (!Double.isNaN(loadAverage))
            {
                loadMax = Double.isNaN(loadMax) ? loadAverage : Math.max(loadMax, loadAverage);
            }
        }
    }

    /** Busy share between two {@code cpu} lines of /proc/stat (user nice system idle iowait irq softirq steal ...). */
    public static double busyPercent(final long[] before, final long[] after)
    {
        return ProcStat.busyPercent(before, after);
    }

    /** The jiffies of the first (all-cores) line of /proc/stat, or null if it cannot be read. */
    public static long[] parseCpuLine(final String statText)
    {
        return ProcStat.parseCpuLine(statText);
    }

    private static long[] readCpu()
    {
        try
        {
            return parseCpuLine(Files.readString(STAT, StandardCharsets.US_ASCII));
        }
        catch (final IOException | RuntimeException e)
        {
            return null;
        }
    }

    private static double readLoadAverage()
    {
        try
        {
            return Double.parseDouble(Files.readString(LOADAVG, StandardCharsets.US_ASCII).trim().split("\\s+")[0]);
        }
        catch (final IOException | RuntimeException e)
        {
            return Double.NaN;
        }
    }
}
