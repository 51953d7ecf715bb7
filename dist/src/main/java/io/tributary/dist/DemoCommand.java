package io.tributary.dist;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.tributary.bench.load.Durations;
import io.tributary.client.Consumer;
import io.tributary.client.ConsumerBatch;
import io.tributary.client.ConsumerConfig;
import io.tributary.client.Producer;
import io.tributary.client.ProducerConfig;
import io.tributary.protocol.tls.TlsSettings;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tributary demo}: a local cluster (as {@code dev}), a producer at a fixed rate and a
 * consumer; prints every second the throughput and the produce latency percentiles, measured
 * from each record's intended send time (so a stall is not hidden: coordinated omission
 * corrected), then a summary, then stops everything.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description =
        "Start a local cluster, produce at a fixed rate while consuming, print live throughput and latency, then stop.")
public final class DemoCommand implements Callable<Integer>
{
    private static final int KEYS = 1000;
    /**
     * How far behind its schedule the open loop may fall before it stops sending: a stalled cluster ends the demo on
     * time.
     */
    private static final long MAX_BEHIND_NS = TimeUnit.SECONDS.toNanos(5);

    /**
     * Scheduled sends of the measured window never made because the loop was more than {@link #MAX_BEHIND_NS} behind.
     */
    private long unsent;

    @Option(names = "--duration", defaultValue = "30s", description = "How long to produce (default ${DEFAULT-VALUE}).")
    String duration;

    // Fresh node JVMs compile the write path during their first seconds (steady after 8-10 s here); the demo shows them
    // warming, then measures. docs/benchmarks.md, "Write path (issue #13)".
    @Option(names = "--warmup", defaultValue = "10s", description = "Load at the same rate before the measured run,"
        + " printed but not counted in the summary (default ${DEFAULT-VALUE}; 0s for none).")
    String warmup;

    @Option(names = "--rate", defaultValue = "5000", description = "Records per second (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--size", defaultValue = "1024", description = "Value bytes (default ${DEFAULT-VALUE}).")
    int size;

    // One shard: every Raft group costs CPU per entry on every replica, and at the demo's 5,000 records/s on two cores
    // one group gave p50 19 ms / p99 84 ms where four gave 45 / 271 ms (docs/benchmarks.md, "Raft groups").
    @Option(names = "--shards", defaultValue = "1", description =
        "Shards of the demo stream (default ${DEFAULT-VALUE}: one Raft"
        + " group is cheapest at the demo's rate; more shards spread leaders and raise the maximum).")
    int shards;

    @Option(names = "--data", defaultValue = "data/demo", description =
        "Data folder, wiped at start (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--durability", defaultValue = "fsync",
        description =
            "fsync (default: acknowledged once in a majority's fsynced Raft log) or nofsync (faster, see docs).")
    String durability;

    @Option(names = "--secure", description = "TLS 1.3 on every link with certificates of a dev CA written under "
        + "the data folder (docs/security.md).")
    boolean secure;

    @picocli.CommandLine.Mixin
    TransportOption transport;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final Duration runFor = Durations.parse(duration, "--duration");
        final Duration warmFor = warmup.trim().equals("0") ? Duration.ZERO : Durations.parse(warmup, "--warmup");
        if (rate < 1 || size < 0 || shards < 1)
        {
            throw new IllegalArgumentException("--rate and --shards must be >= 1 and --size >= 0");
        }
        final PrintWriter out = spec.commandLine().getOut();
        try (DevCommand.DevCluster cluster =
            DevCommand.DevCluster.start(data, 3, durability, transport.transport(), secure, out))
        {
            cluster.createStream("demo", shards, 3);
            out.printf("producing %d records/s of %d bytes to stream 'demo' (%d shards, RF 3) for %s after a %s "
                + "warm-up%n", rate, size, shards, runFor, warmFor);
            out.flush();
            final Histogram total = run(cluster.endpoints(), cluster.transport(), cluster.clientTls, warmFor, runFor,
                out);
            out.printf("summary: %,d records acknowledged of %,d offered, %.0f records/s; produce latency us p50 %d "
                + "p99 %d" + " p99.9 %d max %d%n", total.getTotalCount(), (long)rate * runFor.toSeconds(),
                total.getTotalCount() / (double)runFor.toSeconds(),
                micros(total, 50), micros(total, 99), micros(total, 99.9), total.getMaxValue() / 1000);
            if (unsent > 0)
            {
                out.printf("%,d scheduled records were never sent: the producer fell more than %d s behind its "
                    + "schedule%n", unsent, TimeUnit.NANOSECONDS.toSeconds(MAX_BEHIND_NS));
            }
            out.println("stopping the cluster...");
            out.flush();
        }
        return 0;
    }

    private Histogram run(final String endpoints, final String transport, final TlsSettings tls,
        final Duration warmFor, final Duration runFor, final PrintWriter out) throws Exception
    {
        final Recorder recorder = new Recorder(3);
        final Recorder warmRecorder = new Recorder(3);   // warm-up sends: printed, never in the summary
        final Histogram total = new Histogram(3);
        final AtomicLong consumed = new AtomicLong();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        try (Producer producer = Producer.create(new ProducerConfig().metadataPeers(endpoints).transport(transport)
                .tls(tls));
            Consumer consumer = Consumer.create(new ConsumerConfig().metadataPeers(endpoints).transport(transport)
                .tls(tls)))
        {
            consumer.assign("demo");
            final Thread reader = new Thread(() -> consume(consumer, consumed, stop), "demo-consumer");
            reader.setDaemon(true);
            reader.start();
            final byte[] value = new byte[size];
            final byte[][] keys = new byte[KEYS][];
            for (int k = 0; k < KEYS; k++)
            {
                keys[k] = ("sensor-" + k).getBytes(StandardCharsets.US_ASCII);
            }
            final long periodNs = 1_000_000_000L / rate;
            final long startNs = System.nanoTime();
            final long measureFromNs = startNs + warmFor.toNanos();
            final long endNs = measureFromNs + runFor.toNanos();
            long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(1);
            long consumedBefore = 0;
            for (long i = 0; ; i++)
            {
                final long intendedNs = startNs + i * periodNs;
                if (intendedNs >= endNs)
                {
                    break;
                }
                if (System.nanoTime() - intendedNs > MAX_BEHIND_NS)
                {
                    // Back-pressure held sends back by more than the grace: stop, and say how many were never sent.
                    // A send that is merely late is still made, so its delay counts in the latency (no omission).
                    unsent = (endNs - intendedNs + periodNs - 1) / periodNs;
                    break;
                }
                long now = System.nanoTime();
                while (now < intendedNs)
                {
                    LockSupport.parkNanos(intendedNs - now); // pacing the open loop, not waiting for a condition
                    now = System.nanoTime();
                }
                producer.send("demo", keys[(int)(i % KEYS)], value).whenComplete((metadata, error) ->
                {
                    if (error != null)
                    {
                        failed.incrementAndGet();
                    }
                    else
                    {
                        acknowledged.incrementAndGet();
                        (intendedNs < measureFromNs ? warmRecorder : recorder)
                            .recordValue(System.nanoTime() - intendedNs);
                    }
                });
                if (now >= nextReportNs)
                {
                    final boolean warming = nextReportNs <= measureFromNs;
                    final Histogram interval = (warming ? warmRecorder : recorder).getIntervalHistogram();
                    if (!warming)
                    {
                        total.add(interval);
                    }
                    final long consumedNow = consumed.get();
                    out.printf("%s  acked %,7d/s  consumed %,7d/s  latency us p50 %6d p99 %6d p99.9 %6d max %6d%s%n",
                        warming ? String.format("warm-up %2ds", (nextReportNs - startNs) / 1_000_000_000L)
                            : String.format("%3ds", (nextReportNs - measureFromNs) / 1_000_000_000L),
                        interval.getTotalCount(), consumedNow - consumedBefore,
                        micros(interval, 50), micros(interval, 99), micros(interval, 99.9),
                            interval.getMaxValue() / 1000,
                        failed.get() == 0 ? "" : "  failed " + failed.get());
                    out.flush();
                    consumedBefore = consumedNow;
                    nextReportNs += TimeUnit.SECONDS.toNanos(1);
                }
            }
            producer.flush();
            total.add(recorder.getIntervalHistogram());
            final long drainDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (consumed.get() < acknowledged.get() && System.nanoTime() < drainDeadlineNs)
            {
                // poll: let the consumer read the last acknowledged records
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            stop.set(true);
            reader.join(10_000);
            out.printf("consumed %,d of %,d acknowledged records in all (warm-up included); %d sends failed%n",
                consumed.get(),
                acknowledged.get(), failed.get());
        }
        return total;
    }

    private static void consume(final Consumer consumer, final AtomicLong consumed, final AtomicBoolean stop)
    {
        while (!stop.get())
        {
            final ConsumerBatch batch = consumer.poll(Duration.ofMillis(200));
            consumed.addAndGet(batch.recordCount());
        }
    }

    private static long micros(final Histogram histogram, final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / 1000;
    }
}
