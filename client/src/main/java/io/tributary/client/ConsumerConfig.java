package io.tributary.client;

import java.util.List;

/** Settings of a {@link Consumer}; sizes in bytes, times in milliseconds. Builder-style, mutable, not thread-safe. */
public final class ConsumerConfig extends ClientConfig<ConsumerConfig>
{
    private ReadConsistency consistency = ReadConsistency.LINEARIZABLE;
    private String preferredReplica;
    private int maxBytesPerShard = 1 << 20;
    private long longPollMaxMs = 1_000;
    private long retryBackoffMs = 100;
    private long failAfterMs = 30_000;

    public ConsumerConfig consistency(final ReadConsistency consistency)
    {
        this.consistency = consistency;
        return this;
    }

    /**
     * For {@link ReadConsistency#FOLLOWER}: the node to read from wherever it holds a replica
     * (null, the default: each shard's replica chosen by the consumer).
     */
    public ConsumerConfig preferredReplica(final String nodeId)
    {
        this.preferredReplica = nodeId;
        return this;
    }

    /**
     * Bytes one read of one shard returns at most (default 1 MiB); a single batch larger than
     * this is still returned whole, so a consumer always makes progress.
     */
    public ConsumerConfig maxBytesPerShard(final int maxBytesPerShard)
    {
        this.maxBytesPerShard = maxBytesPerShard;
        return this;
    }

    /** Longest time a read waits on the server for new records (default 1000); capped to half the request timeout. */
    public ConsumerConfig longPollMaxMs(final long longPollMaxMs)
    {
        this.longPollMaxMs = longPollMaxMs;
        return this;
    }

    /** Wait before a failed read is sent again (default 100). */
    public ConsumerConfig retryBackoffMs(final long retryBackoffMs)
    {
        this.retryBackoffMs = retryBackoffMs;
        return this;
    }

    /** After this long with every read of a shard failing, {@link Consumer#poll} throws (default 30000). */
    public ConsumerConfig failAfterMs(final long failAfterMs)
    {
        this.failAfterMs = failAfterMs;
        return this;
    }

    public ReadConsistency consistency()
    {
        return consistency;
    }

    public String preferredReplica()
    {
        return preferredReplica;
    }

    public int maxBytesPerShard()
    {
        return maxBytesPerShard;
    }

    public long longPollMaxMs()
    {
        return longPollMaxMs;
    }

    public long retryBackoffMs()
    {
        return retryBackoffMs;
    }

    public long failAfterMs()
    {
        return failAfterMs;
    }

    @Override
    protected void validate(final List<String> problems)
    {
        if (consistency == null)
        {
            problems.add("consistency is null: use LINEARIZABLE or FOLLOWER");
        }
        checkRange(problems, "maxBytesPerShard", maxBytesPerShard, 1024, 16 << 20);
        checkRange(problems, "longPollMaxMs", longPollMaxMs, 0, 60_000);
        checkRange(problems, "retryBackoffMs", retryBackoffMs, 1, 60_000);
        if (failAfterMs < requestTimeoutMs())
        {
            problems.add("failAfterMs (" + failAfterMs + ") must be at least requestTimeoutMs (" + requestTimeoutMs()
                + ")");
        }
    }
}
