package io.tributary.bench.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import picocli.CommandLine.Option;

/**
 * The workload, shared by every system measured ({@code tributary bench}, the Kafka side of
 * {@code bench compare-kafka}), so both run exactly the same thing. A picocli mixin.
 */
public final class LoadOptions
{
    public enum Mode
    {
        /**
         * Open loop at {@code --rate}, latency from each record's intended send time (coordinated omission corrected).
         */
        RATE,
        /** Closed loop: each producer sends as fast as the system accepts; latency from the send call. */
        MAX,
        /**
         * Fills the stream at maximum speed for {@code --duration}, then reads it all from offset 0 and reports MB/s.
         */
        CATCH_UP
    }

    public enum KeyDistribution
    {
        UNIFORM,
        ZIPFIAN
    }

    @Option(names = "--mode", defaultValue = "rate", converter = ModeConverter.class,
        description =
            "rate (fixed rate, default), max (maximum throughput) or catch-up (consumer reading from offset 0).")
    public Mode mode = Mode.RATE;

    @Option(names = "--rate", defaultValue = "20000", description =
        "Records per second in all, for --mode rate (default ${DEFAULT-VALUE}).")
    public int rate = 20_000;

    @Option(names = "--size", defaultValue = "1024", description = "Value bytes per record (default ${DEFAULT-VALUE}).")
    public int sizeBytes = 1024;

    @Option(names = "--keys", defaultValue = "10000", description = "Distinct keys (default ${DEFAULT-VALUE}).")
    public int keys = 10_000;

    @Option(names = "--key-distribution", defaultValue = "uniform", converter = KeyDistributionConverter.class,
        description = "uniform (default) or zipfian (exponent 0.99, as YCSB).")
    public KeyDistribution keyDistribution = KeyDistribution.UNIFORM;

    @Option(names = "--producers", defaultValue = "1", description =
        "Producer threads, each with its own client, sharing the rate (default ${DEFAULT-VALUE}).")
    public int producers = 1;

    @Option(names = "--shards", defaultValue = "3", description =
        "Shards (Kafka: partitions) of the benchmark stream (default ${DEFAULT-VALUE}).")
    public int shards = 3;

    @Option(names = "--replication-factor", defaultValue = "3", description =
        "Replicas per shard (default ${DEFAULT-VALUE}).")
    public int replicationFactor = 3;

    @Option(names = "--duration", defaultValue = "60s", description =
        "Measured time, after the warm-up (default ${DEFAULT-VALUE}).")
    public String duration = "60s";

    @Option(names = "--warmup", defaultValue = "10s", description =
        "Load before measuring, same rate, not counted (default ${DEFAULT-VALUE}).")
    public String warmup = "10s";

    @Option(names = "--e2e", description =
        "Also consume while producing and measure end-to-end latency (intended send time to consumption).")
    public boolean endToEnd;

    @Option(names = "--stream", defaultValue = "bench", description = "Stream (topic) name (default ${DEFAULT-VALUE}).")
    public String stream = "bench";

    @Option(names = "--seed", description = "Seed of the key choice (default: random, printed).")
    public Long seed;

    @Option(names = "--out", description =
        "Folder for the results: summary.json, .hlog interval logs, .hgrm, plots (default bench-results/<time>).")
    public Path out;

    @Option(names = "--quiet", description = "No progress line every second.")
    public boolean quiet;

    public Duration durationValue()
    {
        return Durations.parse(duration, "--duration");
    }

    public Duration warmupValue()
    {
        return Durations.parse(warmup, "--warmup");
    }

    /** Checks the relationships; throws IllegalArgumentException saying which option to change. */
    public void validate()
    {
        require(rate >= 1, "--rate must be >= 1 record/s, was " + rate);
        require(sizeBytes >= 0 && sizeBytes <= (8 << 20), "--size must be in [0, 8 MiB], was " + sizeBytes);
        require(keys >= 1, "--keys must be >= 1, was " + keys);
        require(producers >= 1 && producers <= 64, "--producers must be in [1, 64], was " + producers);
        require(producers <= rate, "--producers (" + producers + ") must not exceed --rate (" + rate + ")");
        require(shards >= 1, "--shards must be >= 1, was " + shards);
        require(replicationFactor >= 1, "--replication-factor must be >= 1, was " + replicationFactor);
        require(!durationValue().isZero(), "--duration must be > 0");
        require(!endToEnd || sizeBytes >= Long.BYTES,
            "--e2e carries the send time in the value: --size must be >= 8, was " + sizeBytes);
        require(!stream.isEmpty(), "--stream must not be empty");
    }

    public String modeName()
    {
        return mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    static final class ModeConverter implements picocli.CommandLine.ITypeConverter<Mode>
    {
        @Override
        public Mode convert(final String value)
        {
            try
            {
                return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            }
            catch (final IllegalArgumentException e)
            {
                throw new picocli.CommandLine.TypeConversionException("'" + value
                    + "' is not a mode; use rate, max or catch-up");
            }
        }
    }

    static final class KeyDistributionConverter implements picocli.CommandLine.ITypeConverter<KeyDistribution>
    {
        @Override
        public KeyDistribution convert(final String value)
        {
            try
            {
                return KeyDistribution.valueOf(value.trim().toUpperCase(Locale.ROOT));
            }
            catch (final IllegalArgumentException e)
            {
                throw new picocli.CommandLine.TypeConversionException("'" + value
                    + "' is not a key distribution; use uniform or zipfian");
            }
        }
    }
}
