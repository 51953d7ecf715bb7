package io.tributary.client.internal;

import java.util.concurrent.ThreadLocalRandom;

import io.tributary.client.UnknownStreamException;
import io.tributary.protocol.ShardRing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A producer's view of one stream: its cached description, the key ring (the server's), one
 * {@link ShardProducer} per shard, and the sticky shard for records without a key.
 */
final class StreamProducer
{
    private static final Logger LOG = LoggerFactory.getLogger(StreamProducer.class);
    private static final long MIN_REFRESH_INTERVAL_NS = 250_000_000L;

    final ProducerImpl producer;
    final String name;
    final ShardRing ring;
    final ShardProducer[] shards;
    private volatile StreamInfo info;
    private volatile int stickyShard;

    // I/O thread only
    private boolean refreshInFlight;
    private long lastRefreshNs;

    StreamProducer(final ProducerImpl producer, final StreamInfo info)
    {
        this.producer = producer;
        this.name = info.name();
        this.info = info;
        this.ring = new ShardRing(info.name(), info.shardCount());
        this.shards = new ShardProducer[info.shardCount()];
        for (int i = 0; i < shards.length; i++)
        {
            shards[i] = new ShardProducer(producer, this, i);
        }
        this.stickyShard = ThreadLocalRandom.current().nextInt(shards.length);
    }

    StreamInfo info()
    {
        return info;
    }

    int shardFor(final byte[] key)
    {
        return key == null ? stickyShard : ring.shardFor(key);
    }

    /** A batch of {@code shard} was sealed: keyless records move to another shard, so they spread over all. */
    void onSealed(final int shard)
    {
        if (shard == stickyShard && shards.length > 1)
        {
            final int next = ThreadLocalRandom.current().nextInt(shards.length - 1);
            stickyShard = next >= shard ? next + 1 : next;
        }
    }

    /** Asks the metadata quorum again, off the I/O thread; at most one at a time, not more often than every 250 ms. */
    void requestRefresh(final long nowNs)
    {
        if (refreshInFlight || nowNs - lastRefreshNs < MIN_REFRESH_INTERVAL_NS)
        {
            return;
        }
        refreshInFlight = true;
        lastRefreshNs = nowNs;
        producer.refreshAsync(this);
    }

    boolean refreshInFlight()
    {
        return refreshInFlight;
    }

    /** On the I/O thread: the refresh answered ({@code error} null) or failed. */
    void onRefreshed(final StreamInfo fresh, final Throwable error)
    {
        refreshInFlight = false;
        if (error instanceof UnknownStreamException unknown)
        {
            LOG.warn("stream '{}' was deleted while records were sent to it; they fail", name);
            producer.forget(this, unknown);
            return;
        }
        if (error != null)
        {
            LOG.warn("stream '{}': refreshing its placement failed (will retry): {}", name, error.toString());
            return;
        }
        if (fresh.shardCount() != shards.length || fresh.id() != info.id())
        {
            LOG.error("stream '{}' changed under the producer: it had id {} with {} shards, now id {} with {} shards;"
                + " records keep going to the old shards' groups until they fail", name, info.id(), shards.length,
                fresh.id(), fresh.shardCount());
            return;
        }
        info = fresh;
        for (final ShardProducer shard : shards)
        {
            shard.onPlacement(fresh.shard(shard.shard));
        }
    }
}
