package io.tributary.client;

import java.util.List;

import io.opentelemetry.api.OpenTelemetry;
import io.tributary.format.RecordBatchDescriptor;
import io.tributary.format.RecordDescriptor;

/**
 * Settings of a {@link Producer}. Defaults suit a producer of many small records; every size is
 * in bytes and every time in milliseconds. Builder-style and mutable; not thread-safe.
 */
public final class ProducerConfig extends ClientConfig<ProducerConfig>
{
    /** What {@link Producer#send} does when the producer's memory ({@link #bufferMemoryBytes}) is full. */
    public enum BackPressure
    {
        /**
         * Wait up to {@link #maxBlockMs} for memory, then fail the record's future with {@link BufferFullException}.
         */
        BLOCK,
        /** Fail the record's future at once with {@link BufferFullException}; {@code send} never waits. */
        FAIL_FAST
    }

    /**
     * The engine keeps this many recent batches per producer for duplicate detection (ProducerTable.RECENT_BATCHES).
     */
    public static final int MAX_IN_FLIGHT_IDEMPOTENT = 5;

    private long lingerMs = 5;
    private int batchBytes = 64 << 10;
    private int maxBatchBytes = RecordBatchDescriptor.DEFAULT_MAX_BATCH_BYTES;
    private int maxKeyBytes = RecordBatchDescriptor.DEFAULT_MAX_KEY_BYTES;
    private long bufferMemoryBytes = 32L << 20;
    private int maxInFlightPerShard = MAX_IN_FLIGHT_IDEMPOTENT;
    private int maxRequestsInFlightPerNode = 2;
    private BackPressure backPressure = BackPressure.BLOCK;
    private long maxBlockMs = 60_000;
    private int retries = 10;
    private long retryBackoffMs = 100;
    private long retryBackoffMaxMs = 1_000;
    private long deliveryTimeoutMs = 120_000;
    private boolean idempotence = true;
    private OpenTelemetry openTelemetry = OpenTelemetry.noop();

    /** How long a batch waits for more records before it is sent (default 5). 0: send as soon as the I/O thread can. */
    public ProducerConfig lingerMs(final long lingerMs)
    {
        this.lingerMs = lingerMs;
        return this;
    }

    /** Target size of a batch (default 64 KiB): a batch is sent when the next record would pass it. */
    public ProducerConfig batchBytes(final int batchBytes)
    {
        this.batchBytes = batchBytes;
        return this;
    }

    /**
     * The largest batch a shard accepts: the nodes' {@code shard.max.batch.bytes} (default 1 MiB).
     * A record that cannot fit a batch of this size on its own is refused by {@link Producer#send}.
     */
    public ProducerConfig maxBatchBytes(final int maxBatchBytes)
    {
        this.maxBatchBytes = maxBatchBytes;
        return this;
    }

    /** The longest key a shard accepts (the engine's maxKeyBytes, default 1024). */
    public ProducerConfig maxKeyBytes(final int maxKeyBytes)
    {
        this.maxKeyBytes = maxKeyBytes;
        return this;
    }

    /**
     * Bytes of records buffered or in flight, over all shards (default 32 MiB); beyond it, {@link #backPressure}
     * applies.
     */
    public ProducerConfig bufferMemoryBytes(final long bufferMemoryBytes)
    {
        this.bufferMemoryBytes = bufferMemoryBytes;
        return this;
    }

    /** Batches sent and not yet acknowledged, per shard (default and maximum with idempotence: 5). */
    public ProducerConfig maxInFlightPerShard(final int maxInFlightPerShard)
    {
        this.maxInFlightPerShard = maxInFlightPerShard;
        return this;
    }

    /**
     * Produce requests in flight to one node (each carries batches of every shard that node leads). While they
     * are all in flight, batches stay open and grow; when one is answered, what has gathered leaves at once.
     * 1 gives the largest batches, more gives lower latency at moderate load.
     */
    public ProducerConfig maxRequestsInFlightPerNode(final int maxRequestsInFlightPerNode)
    {
        this.maxRequestsInFlightPerNode = maxRequestsInFlightPerNode;
        return this;
    }

    public int maxRequestsInFlightPerNode()
    {
        return maxRequestsInFlightPerNode;
    }

    public ProducerConfig backPressure(final BackPressure backPressure)
    {
        this.backPressure = backPressure;
        return this;
    }

    /** Longest wait of {@link Producer#send} for memory (BLOCK) or for the stream's metadata (default 60000). */
    public ProducerConfig maxBlockMs(final long maxBlockMs)
    {
        this.maxBlockMs = maxBlockMs;
        return this;
    }

    /** Resends of a batch after a timeout, a lost reply or a placement change, beyond Ratis's own (default 10). */
    public ProducerConfig retries(final int retries)
    {
        this.retries = retries;
        return this;
    }

    /** First wait before a resend (default 100); it doubles up to {@link #retryBackoffMaxMs}. */
    public ProducerConfig retryBackoffMs(final long retryBackoffMs)
    {
        this.retryBackoffMs = retryBackoffMs;
        return this;
    }

    public ProducerConfig retryBackoffMaxMs(final long retryBackoffMaxMs)
    {
        this.retryBackoffMaxMs = retryBackoffMaxMs;
        return this;
    }

    /** Longest time from {@code send} to the future's completion (default 120000); then it fails, outcome unknown. */
    public ProducerConfig deliveryTimeoutMs(final long deliveryTimeoutMs)
    {
        this.deliveryTimeoutMs = deliveryTimeoutMs;
        return this;
    }

    /**
     * Idempotent batches (default true): the producer gets an id from the cluster and numbers its
     * records per shard, so a resent batch is stored once. Without it a resend may store a batch twice.
     */
    public ProducerConfig idempotence(final boolean idempotence)
    {
        this.idempotence = idempotence;
        return this;
    }

    /** Where {@code tributary.produce} spans go (default {@link OpenTelemetry#noop()}: no tracing, no cost). */
    public ProducerConfig openTelemetry(final OpenTelemetry openTelemetry)
    {
        this.openTelemetry = openTelemetry;
        return this;
    }

    public long lingerMs()
    {
        return lingerMs;
    }

    public int batchBytes()
    {
        return batchBytes;
    }

    public int maxBatchBytes()
    {
        return maxBatchBytes;
    }

    public int maxKeyBytes()
    {
        return maxKeyBytes;
    }

    public long bufferMemoryBytes()
    {
        return bufferMemoryBytes;
    }

    public int maxInFlightPerShard()
    {
        return maxInFlightPerShard;
    }

    public BackPressure backPressure()
    {
        return backPressure;
    }

    public long maxBlockMs()
    {
        return maxBlockMs;
    }

    public int retries()
    {
        return retries;
    }

    public long retryBackoffMs()
    {
        return retryBackoffMs;
    }

    public long retryBackoffMaxMs()
    {
        return retryBackoffMaxMs;
    }

    public long deliveryTimeoutMs()
    {
        return deliveryTimeoutMs;
    }

    public boolean idempotence()
    {
        return idempotence;
    }

    public OpenTelemetry openTelemetry()
    {
        return openTelemetry;
    }

    /** The largest single record accepted: what fits a batch of maxBatchBytes on its own. */
    public int maxRecordBytes()
    {
        return maxBatchBytes - RecordBatchDescriptor.HEADER_LENGTH;
    }

    @Override
    protected void validate(final List<String> problems)
    {
        final int smallest = RecordBatchDescriptor.HEADER_LENGTH + RecordDescriptor.MIN_RECORD_LENGTH;
        checkRange(problems, "lingerMs", lingerMs, 0, 60_000);
        checkRange(problems, "maxBatchBytes", maxBatchBytes, smallest, 64 << 20);
        checkRange(problems, "batchBytes", batchBytes, smallest, maxBatchBytes);
        checkRange(problems, "maxKeyBytes", maxKeyBytes, 1, maxBatchBytes);
        if (bufferMemoryBytes < maxBatchBytes)
        {
            problems.add("bufferMemoryBytes (" + bufferMemoryBytes + ") must be at least maxBatchBytes ("
                + maxBatchBytes + ") so that the largest record fits");
        }
        checkRange(problems, "maxInFlightPerShard", maxInFlightPerShard, 1, idempotence ? MAX_IN_FLIGHT_IDEMPOTENT
            : 100);
        checkRange(problems, "maxRequestsInFlightPerNode", maxRequestsInFlightPerNode, 1, 64);
        if (backPressure == null)
        {
            problems.add("backPressure is null: use BLOCK or FAIL_FAST");
        }
        checkRange(problems, "maxBlockMs", maxBlockMs, 0, 3_600_000);
        checkRange(problems, "retries", retries, 0, 1_000);
        checkRange(problems, "retryBackoffMs", retryBackoffMs, 1, 60_000);
        checkRange(problems, "retryBackoffMaxMs", retryBackoffMaxMs, retryBackoffMs, 600_000);
        if (deliveryTimeoutMs < requestTimeoutMs() + lingerMs)
        {
            problems.add("deliveryTimeoutMs (" + deliveryTimeoutMs + ") must be at least requestTimeoutMs + lingerMs ("
                + (requestTimeoutMs() + lingerMs) + ") so a batch gets at least one full attempt");
        }
        if (openTelemetry == null)
        {
            problems.add("openTelemetry is null: use OpenTelemetry.noop() to disable tracing");
        }
    }
}
