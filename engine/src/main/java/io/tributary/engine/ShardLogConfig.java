package io.tributary.engine;

import io.tributary.format.RecordBatchDescriptor;
import io.tributary.format.RecordDescriptor;
import java.nio.file.Path;
import java.util.Objects;

import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

/**
 * Settings of one shard's log. Validated by {@link #validate()} (called on open) with messages
 * that say what to change. Mutable builder-style; a log copies nothing from it after open.
 */
public final class ShardLogConfig
{
    public static final int DEFAULT_MAX_BATCH_BYTES = RecordBatchDescriptor.DEFAULT_MAX_BATCH_BYTES;
    public static final int DEFAULT_MAX_KEY_BYTES = RecordBatchDescriptor.DEFAULT_MAX_KEY_BYTES;
    public static final int DEFAULT_MAX_KEYS = 1_000_000;
    public static final int DEFAULT_MAX_PRODUCERS = 100_000;
    public static final long UNLIMITED = -1;

    private Path directory;
    private RollCycle rollCycle = RollCycles.FAST_HOURLY;
    private TimeProvider timeProvider;
    private int maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
    private int maxKeyBytes = DEFAULT_MAX_KEY_BYTES;
    private int maxKeys = DEFAULT_MAX_KEYS;
    private int maxProducers = DEFAULT_MAX_PRODUCERS;
    private long retentionBytes = UNLIMITED;
    private long retentionMs = UNLIMITED;

    public ShardLogConfig directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    public ShardLogConfig rollCycle(final RollCycle rollCycle)
    {
        this.rollCycle = rollCycle;
        return this;
    }

    /** The clock Chronicle uses to pick the file (cycle) an excerpt goes to; tests pass a settable one. */
    public ShardLogConfig timeProvider(final TimeProvider timeProvider)
    {
        this.timeProvider = timeProvider;
        return this;
    }

    public ShardLogConfig maxBatchBytes(final int maxBatchBytes)
    {
        this.maxBatchBytes = maxBatchBytes;
        return this;
    }

    public ShardLogConfig maxKeyBytes(final int maxKeyBytes)
    {
        this.maxKeyBytes = maxKeyBytes;
        return this;
    }

    public ShardLogConfig maxKeys(final int maxKeys)
    {
        this.maxKeys = maxKeys;
        return this;
    }

    public ShardLogConfig maxProducers(final int maxProducers)
    {
        this.maxProducers = maxProducers;
        return this;
    }

    /** Delete the oldest rolled files while the shard holds more than this many batch bytes; -1: no limit. */
    public ShardLogConfig retentionBytes(final long retentionBytes)
    {
        this.retentionBytes = retentionBytes;
        return this;
    }

    /** Delete rolled files whose newest record is older than this; -1: no limit. */
    public ShardLogConfig retentionMs(final long retentionMs)
    {
        this.retentionMs = retentionMs;
        return this;
    }

    public Path directory()
    {
        return directory;
    }

    public RollCycle rollCycle()
    {
        return rollCycle;
    }

    public TimeProvider timeProvider()
    {
        return timeProvider;
    }

    public int maxBatchBytes()
    {
        return maxBatchBytes;
    }

    public int maxKeyBytes()
    {
        return maxKeyBytes;
    }

    public int maxKeys()
    {
        return maxKeys;
    }

    public int maxProducers()
    {
        return maxProducers;
    }

    public long retentionBytes()
    {
        return retentionBytes;
    }

    public long retentionMs()
    {
        return retentionMs;
    }

    /** Fails fast with a message naming the setting to change. */
    /** The same settings for a log in {@code otherDirectory} (a staging copy of this log). */
    public ShardLogConfig copyTo(final Path otherDirectory)
    {
        final ShardLogConfig copy = new ShardLogConfig();
        copy.directory = otherDirectory;
        copy.rollCycle = rollCycle;
        copy.timeProvider = timeProvider;
        copy.maxBatchBytes = maxBatchBytes;
        copy.maxKeyBytes = maxKeyBytes;
        copy.maxKeys = maxKeys;
        copy.maxProducers = maxProducers;
        copy.retentionBytes = retentionBytes;
        copy.retentionMs = retentionMs;
        return copy;
    }

    public ShardLogConfig validate()
    {
        Objects.requireNonNull(directory,
            "ShardLogConfig.directory is required: the folder for this shard's queue files");
        Objects.requireNonNull(rollCycle, "ShardLogConfig.rollCycle must not be null");
        final int smallest = RecordBatchDescriptor.HEADER_LENGTH
            + RecordDescriptor.MIN_RECORD_LENGTH;
        require(maxBatchBytes >= smallest && maxBatchBytes <= 64 << 20,
            "maxBatchBytes is " + maxBatchBytes + "; it must be in [" + smallest + ", " + (64 << 20)
            + "] (Chronicle excerpts above 64 MiB need a larger block size)");
        require(maxKeyBytes >= 1 && maxKeyBytes <= maxBatchBytes,
            "maxKeyBytes is " + maxKeyBytes + "; it must be in [1, maxBatchBytes = " + maxBatchBytes + "]");
        require(maxKeys >= 1, "maxKeys is " + maxKeys + "; it must be at least 1");
        require(maxProducers >= 1, "maxProducers is " + maxProducers + "; it must be at least 1");
        require(retentionBytes == UNLIMITED || retentionBytes >= maxBatchBytes,
            "retentionBytes is " + retentionBytes + "; use -1 (no limit) or at least maxBatchBytes = " + maxBatchBytes);
        require(retentionMs == UNLIMITED || retentionMs > 0,
            "retentionMs is " + retentionMs + "; use -1 (no limit) or a positive number of milliseconds");
        return this;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }
}
