package io.tributary.bench.load;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * One benchmark run against one system: creates the stream, runs the producers (fixed rate or
 * maximum), optionally a consumer for end-to-end latency, or fills then reads back (catch-up);
 * prints progress every second, writes the results and returns the summary. The caller prints
 * {@link LoadSummary#oneLine()} last.
 */
public final class LoadRun
{
    /** Producers get this long after the end to have every record acknowledged or failed. */
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.MINUTES.toNanos(3);
    private static final long CATCH_UP_IDLE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final LoadSystem system;
    private final LoadOptions options;
    private final String durability;
    private final PrintWriter out;
    private final long seed;
    private final Path outDir;
    /**
     * Node id to pid of the cluster's processes on this machine, whose CPU is measured too; null when not known
     * (remote).
     */
    private final Map<String, Long> nodePids;

    private LoadRun(final LoadSystem system, final LoadOptions options, final String durability, final PrintWriter out,
        final Map<String, Long> nodePids)
    {
        this.system = system;
        this.options = options;
        this.durability = durability;
        this.out = out;
        // in the caller's order
        this.nodePids = nodePids == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(nodePids));
        this.seed = options.seed != null ? options.seed : ThreadLocalRandom.current().nextLong();
        this.outDir = options.out != null ? options.out
            : Path.of("bench-results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /**
     * A run against a system whose nodes are not processes of this machine that we know: only this process's CPU is
     * measured.
     */
    public static LoadSummary run(final LoadSystem system, final LoadOptions options, final String durability,
        final PrintWriter out) throws Exception
    {
        options.validate();
        return new LoadRun(system, options, durability, out, null).run();
    }

    /**
     * A run against a cluster whose node processes run on this machine ({@code --local}): the CPU
     * time of every one of {@code nodePids} (node id to pid) is measured with this process's.
     */
    public static LoadSummary run(final LoadSystem system, final LoadOptions options, final String durability,
        final PrintWriter out, final Map<String, Long> nodePids) throws Exception
    {
        options.validate();
        return new LoadRun(system, options, durability, out, nodePids).run();
    }

    private LoadSummary run() throws Exception
    {
        Files.createDirectories(outDir);
        out.printf(Locale.ROOT,
            "bench: %s (%s), %s, %d B values, %s keys (%,d), %d producer(s), %d shards RF %d, warm-up %s,"
                + " %s; seed %d; results in %s%n", system.name(), durability, describeMode(), options.sizeBytes,
            options.keyDistribution.name().toLowerCase(Locale.ROOT), options.keys, options.producers, options.shards,
            options.replicationFactor, options.warmup, options.duration, seed, outDir);
        out.flush();
        system.createStream(options.stream, options.shards, options.replicationFactor);
        return options.mode == LoadOptions.Mode.CATCH_UP ? catchUp() : produce();
    }

    private String describeMode()
    {
        return switch (options.mode)
        {
            case RATE -> String.format(Locale.ROOT, "fixed rate %,d records/s", options.rate);
            case MAX -> "maximum throughput";
            case CATCH_UP -> "fill at maximum throughput then read from offset 0";
        };
    }

    private LoadSummary produce() throws Exception
    {
        final double seconds = options.durationValue().toNanos() / 1e9;
        final ProducePhase phase = newPhase(options.mode == LoadOptions.Mode.RATE, options.warmupValue().toNanos(),
            options.durationValue().toNanos(), options.endToEnd);
        phase.run();
        final long intended = phase.counters.intended.sum();
        reportShortfall(phase, intended);
        reportResources(phase.resources);
        final long acknowledged = phase.counters.acknowledged.sum();
        final LoadSummary summary = summary(intended, acknowledged, phase.counters.failed.sum(),
            phase.counters.unsent.sum(), seconds,
            LatencySummary.of(phase.total), phase.endToEndTotal == null ? null : LatencySummary.of(phase.endToEndTotal),
                null,
            phase.resources);
        ResultsWriter.write(outDir, summary, phase.total, phase.endToEndTotal, phase.intervals, phase.throughput);
        return summary;
    }

    /**
     * A phase with its resource sources ready: the Admin connection, the first status call (cold:
     * seconds on a busy machine, which would make the samples at the interval's start late) and
     * the clock-tick query take time, so they are done before the phase's start time is fixed.
     */
    private ProducePhase newPhase(final boolean fixedRate, final long warmupNs, final long durationNs,
        final boolean endToEnd)
        throws Exception
    {
        final ProcessCpu cpu = ProcessCpu.ofThisMachine(nodePids == null ? Map.of() : nodePids);
        final ClusterCounters cluster = system.clusterCounters(options.stream);
        if (cluster.available())
        {
            try
            {
                cluster.sample();
            }
            catch (final Exception e)
            {
                out.printf("warning: the cluster's status could not be read (%s); the sampler retries every "
                    + "second%n", e);
            }
        }
        return new ProducePhase(fixedRate, warmupNs, durationNs, endToEnd, cpu, cluster);
    }

    private void reportResources(final ResourceSummary resources)
    {
        if (resources != null)
        {
            resources.report().forEach(out::println);
            out.flush();
        }
    }

    private void reportShortfall(final ProducePhase phase, final long intended)
    {
        final long unsent = phase.counters.unsent.sum();
        if (unsent > 0)
        {
            out.printf(Locale.ROOT,
                "warning: %,d of the %,d scheduled records were not sent by the end: the system (or this machine) "
                + "could not keep up with %,d records/s; they count in the latency with the time they had waited%n",
                unsent, intended, options.rate);
        }
        final Throwable error = phase.counters.firstError.get();
        if (error != null)
        {
            out.printf("warning: %,d sends failed; the first: %s%n", phase.counters.failed.sum(), error);
        }
    }

    private LoadSummary catchUp() throws Exception
    {
        final long fillNs = options.durationValue().toNanos();
        out.printf("filling for %s at maximum throughput...%n", options.duration);
        out.flush();
        final ProducePhase fill = newPhase(false, 0, fillNs, false);
        fill.run();
        reportResources(fill.resources);
        final long stored = fill.counters.acknowledgedAll.sum();
        out.printf(Locale.ROOT, "filled: %,d records (%.1f MB of values); reading them all from offset 0...%n", stored,
            stored * (double)options.sizeBytes / 1e6);
        out.flush();
        final LoadSummary.CatchUp catchUp;
        try (LoadSource source = system.consumer(options.stream))
        {
            catchUp = new CatchUpReader().read(source, stored, CATCH_UP_IDLE_TIMEOUT_NS, out);
        }
        final double fillSeconds = fillNs / 1e9;
        final LoadSummary summary = summary(fill.counters.intended.sum(), fill.counters.acknowledgedAll.sum(),
            fill.counters.failed.sum(), 0, fillSeconds, LatencySummary.of(fill.total), null, catchUp, fill.resources);
        ResultsWriter.write(outDir, summary, fill.total, null, fill.intervals, fill.throughput);
        return summary;
    }

    private LoadSummary summary(final long intended, final long acknowledged, final long failed, final long unsent,
        final double seconds,
        final LatencySummary produce, final LatencySummary endToEnd, final LoadSummary.CatchUp catchUp,
        final ResourceSummary resources)
    {
        final double recordsPerSecond = acknowledged / seconds;
        return new LoadSummary(system.name(), options.modeName(), durability, options.mode == LoadOptions.Mode.RATE
            ? options.rate : 0, options.sizeBytes, options.shards, options.replicationFactor, options.producers,
            options.keys, options.keyDistribution.name().toLowerCase(Locale.ROOT), seconds, options.warmupValue()
            .toNanos() / 1e9, seed, intended, acknowledged, failed, unsent, recordsPerSecond,
            recordsPerSecond * options.sizeBytes / 1e6, produce, endToEnd, catchUp, resources);
    }

    /** Producers (and the end-to-end consumer) for warm-up plus measured time, with progress each second. */
    private final class ProducePhase
    {
        final LoadCounters counters;
        final Histogram total = new Histogram(3);
        final Histogram endToEndTotal;
        final List<IntervalPoint> intervals = new ArrayList<>();
        final List<ThroughputPoint> throughput = new ArrayList<>();
        /** Set when the phase ran: what it cost over the measured interval. */
        ResourceSummary resources;
        private final boolean fixedRate;
        private final long startNs;
        private final long measureStartNs;
        private final long endNs;
        private final boolean endToEnd;
        private final ProcessCpu cpu;
        private final ClusterCounters cluster;
        private IntervalLogs logs;
        private ResourceMonitor monitor;
        private WarmupBacklog warmupBacklog;

        ProducePhase(final boolean fixedRate, final long warmupNs, final long durationNs, final boolean endToEnd,
            final ProcessCpu cpu,
            final ClusterCounters cluster)
        {
            this.fixedRate = fixedRate;
            this.startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            this.measureStartNs = startNs + warmupNs;
            this.endNs = measureStartNs + durationNs;
            this.endToEnd = endToEnd;
            this.counters = new LoadCounters(measureStartNs);
            this.endToEndTotal = endToEnd ? new Histogram(3) : null;
            this.cpu = cpu;
            this.cluster = cluster;
        }

        /**
         * Warns when the warm-up ends with its records far from answered (the cluster never caught up with the
         * schedule, as on a cold or slow machine): the measured window then starts with that backlog and its
         * latencies include the wait to drain it, which reads as a multi-second tail of the steady state. Says when
         * the backlog is gone, so a reader knows from which second on the figures are the steady state's.
         */
        private final class WarmupBacklog
        {
            private final long scheduled;
            private boolean warned;
            private boolean done;

            WarmupBacklog(final long scheduled)
            {
                this.scheduled = scheduled;
            }

            void check(final double secondsIntoMeasure)
            {
                if (done || !fixedRate || scheduled == 0)
                {
                    return;
                }
                final long behind = scheduled - counters.warmupAnswered.sum();
                if (!warned)
                {
                    done = behind <= options.rate / 2; // under half a second of schedule: what is normally in flight
                    if (!done)
                    {
                        warned = true;
                        out.printf(Locale.ROOT, "warning: the warm-up ended %,d records (%.1f s of schedule) behind: "
                            + "the measured window starts with that backlog and its latencies include the wait to "
                            + "drain it; a longer --warmup measures the steady state%n", behind,
                            behind / (double)options.rate);
                    }
                }
                else if (behind <= 0)
                {
                    done = true;
                    out.printf(Locale.ROOT, "the warm-up's backlog was answered %.0f s into the measurement%n",
                        secondsIntoMeasure);
                }
            }
        }

        void run() throws Exception
        {
            final List<LoadTarget> targets = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            EndToEndReader reader = null;
            LoadSource source = null;
            Thread readerThread = null;
            try (ResourceMonitor resourceMonitor =
                ResourceMonitor.start(cpu, nodePids != null, cluster, counters, options.sizeBytes,
                    startNs, measureStartNs, endNs);
                IntervalLogs intervalLogs = IntervalLogs.open(outDir, endToEnd))
            {
                monitor = resourceMonitor;
                logs = intervalLogs;
                if (endToEnd)
                {
                    source = system.consumer(options.stream);
                    reader = new EndToEndReader(source, measureStartNs);
                    readerThread = start(reader, "bench-e2e-consumer");
                }
                final double periodNs = 1e9 * options.producers / options.rate;
                long warmupScheduled = 0;
                for (int p = 0; p < options.producers; p++)
                {
                    final LoadTarget target = system.producer(options.stream);
                    targets.add(target);
                    final KeyChooser keys = new KeyChooser(options.keys, options.keyDistribution, seed + p);
                    final long firstNs = startNs + (long)(p * periodNs / options.producers);
                    warmupScheduled += Math.max(0, (long)Math.ceil((measureStartNs - firstNs) / periodNs));
                    threads.add(start(new ProducerLoop(target, keys, options.sizeBytes, seed ^ p, fixedRate, firstNs,
                        periodNs,
                        endNs, counters), "bench-producer-" + p));
                }
                warmupBacklog = new WarmupBacklog(warmupScheduled);
                reportEverySecond(threads, reader);
                resources = monitor.summary();
                if (reader != null)
                {
                    drainConsumer(reader);
                    reader.stop();
                    readerThread.join(TimeUnit.SECONDS.toMillis(10));
                }
            }
            finally
            {
                for (final Thread thread : threads)
                {
                    thread.interrupt();
                }
                for (final LoadTarget target : targets)
                {
                    target.close();
                }
                if (source != null)
                {
                    source.close();
                }
            }
        }

        private void reportEverySecond(final List<Thread> producers, final EndToEndReader reader) throws Exception
        {
            long tickNs = startNs + TimeUnit.SECONDS.toNanos(1);
            final long drainDeadlineNs = endNs + DRAIN_TIMEOUT_NS;
            Histogram interval = null;
            Histogram endToEndInterval = null;
            long acknowledgedBefore = 0;
            long sentBefore = 0;
            long reportedNs = startNs;
            while (anyAlive(producers))
            {
                long nowNs = System.nanoTime();
                while (tickNs - nowNs > 0 && anyAlive(producers))
                {
                    // pacing the report
                    LockSupport.parkNanos(Math.min(tickNs - nowNs, TimeUnit.MILLISECONDS.toNanos(20)));
                    nowNs = System.nanoTime();
                }
                if (nowNs - drainDeadlineNs > 0)
                {
                    out.printf("warning: producers still unfinished %d s after the end; stopping them%n",
                        TimeUnit.NANOSECONDS.toSeconds(DRAIN_TIMEOUT_NS));
                    break;
                }
                interval = counters.latency.getIntervalHistogram(interval);
                endToEndInterval = reader == null ? null : reader.latency.getIntervalHistogram(endToEndInterval);
                final Histogram warmup = counters.warmupLatency.getIntervalHistogram();
                final Histogram endToEndWarmup = reader == null ? null : reader.warmupLatency.getIntervalHistogram();
                final boolean measuring = tickNs - measureStartNs > 0; // the tick at the boundary closes the warm-up
                if (nowNs - measureStartNs >= 0) // from the tick that closes the warm-up on
                {
                    warmupBacklog.check((nowNs - measureStartNs) / 1e9);
                }
                account(interval, endToEndInterval, (nowNs - measureStartNs) / 1e9);
                final long acknowledged = counters.acknowledgedAll.sum();
                final long sent = counters.sent.sum();
                final ResourceMonitor.Progress progress = monitor.progress(tickNs);
                if (measuring)
                {
                    final double elapsedSeconds = Math.max(1e-3, (nowNs - reportedNs) / 1e9);
                    throughput.add(new ThroughputPoint((nowNs - measureStartNs) / 1e9,
                        (acknowledged - acknowledgedBefore) / elapsedSeconds,
                        (sent - sentBefore) / elapsedSeconds, progress.entriesPerSecond()));
                }
                if (!options.quiet)
                {
                    printProgress((nowNs - startNs) / 1e9, acknowledged - acknowledgedBefore, measuring ? interval
                        : warmup, measuring ? endToEndInterval : endToEndWarmup, measuring, progress);
                }
                acknowledgedBefore = acknowledged;
                sentBefore = sent;
                reportedNs = nowNs;
                tickNs += TimeUnit.SECONDS.toNanos(1);
            }
            interval = counters.latency.getIntervalHistogram(interval);
            endToEndInterval = reader == null ? null : reader.latency.getIntervalHistogram(endToEndInterval);
            account(interval, endToEndInterval, (System.nanoTime() - measureStartNs) / 1e9);
        }

        private void account(final Histogram interval, final Histogram endToEndInterval,
            final double secondsIntoMeasure)
        {
            if (interval.getTotalCount() > 0 || secondsIntoMeasure > 0)
            {
                total.add(interval);
                logs.produce(interval);
                if (interval.getTotalCount() > 0)
                {
                    intervals.add(IntervalPoint.of(secondsIntoMeasure, interval, endToEndInterval));
                }
            }
            if (endToEndInterval != null && (endToEndInterval.getTotalCount() > 0 || secondsIntoMeasure > 0))
            {
                endToEndTotal.add(endToEndInterval);
                logs.endToEnd(endToEndInterval);
            }
        }

        private void printProgress(final double secondsSinceStart, final long acknowledged, final Histogram produce,
            final Histogram endToEnd, final boolean measuring, final ResourceMonitor.Progress progress)
        {
            final StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "%5.0fs %-8s acked %,8d/s  latency us p50 %7d p99 %7d p99.9 %7d max %7d",
                secondsSinceStart, measuring ? "" : "warm-up", acknowledged, LatencySummary.percentileUs(produce, 50),
                LatencySummary.percentileUs(produce, 99), LatencySummary.percentileUs(produce, 99.9),
                    produce.getTotalCount() == 0 ? 0 : produce.getMaxValue() / 1000));
            if (endToEnd != null)
            {
                line.append(String.format(Locale.ROOT, "  e2e p50 %7d p99 %7d",
                    LatencySummary.percentileUs(endToEnd, 50), LatencySummary.percentileUs(endToEnd, 99)));
            }
            line.append(progress.text());
            final long failed = counters.failed.sum();
            if (failed > 0)
            {
                line.append(String.format(Locale.ROOT, "  failed %,d", failed));
            }
            out.println(line);
            out.flush();
        }

        private void drainConsumer(final EndToEndReader reader)
        {
            final long expected = counters.acknowledgedAll.sum();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reader.consumed.sum() < expected && System.nanoTime() - deadlineNs < 0 && reader.error.get() == null)
            {
                // poll with a deadline: the consumer reads the last records
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            if (reader.consumed.sum() < expected)
            {
                out.printf(Locale.ROOT, "warning: the end-to-end consumer read %,d of %,d acknowledged records%s%n",
                    reader.consumed.sum(), expected, reader.error.get() == null ? "" : "; it failed: "
                        + reader.error.get());
            }
            final Histogram last = reader.latency.getIntervalHistogram();
            endToEndTotal.add(last);
            logs.endToEnd(last);
        }
    }

    private static boolean anyAlive(final List<Thread> threads)
    {
        for (final Thread thread : threads)
        {
            if (thread.isAlive())
            {
                return true;
            }
        }
        return false;
    }

    private static Thread start(final Runnable runnable, final String name)
    {
        final Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
