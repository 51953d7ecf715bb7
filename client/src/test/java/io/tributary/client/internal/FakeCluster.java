package io.tributary.client.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.tributary.client.UnknownStreamException;

import io.tributary.format.AppendStatus;

/** Streams of {@link FakeShard}s and the metadata that describes them, in-process. */
final class FakeCluster implements MetadataView, ShardChannel.Factory, AutoCloseable
{
    private final Path directory;
    private final Map<String, StreamInfo> streams = new LinkedHashMap<>();
    private final Map<UUID, FakeShard> shards = new LinkedHashMap<>();
    private final AtomicLong producerIds = new AtomicLong(100);

    FakeCluster(final Path directory)
    {
        this.directory = directory;
    }

    synchronized List<FakeShard> createStream(final String name, final int shardCount)
    {
        final List<StreamInfo.ShardInfo> infos = new ArrayList<>();
        final List<FakeShard> created = new ArrayList<>();
        for (int shard = 0; shard < shardCount; shard++)
        {
            final UUID groupId = UUID.nameUUIDFromBytes((name + "/" + shard).getBytes(StandardCharsets.UTF_8));
            final FakeShard fake = new FakeShard(directory.resolve(name + "-" + shard), name + "-" + shard);
            shards.put(groupId, fake);
            created.add(fake);
            infos.add(new StreamInfo.ShardInfo(shard, groupId, Map.of("fake", "127.0.0.1:1")));
        }
        streams.put(name, new StreamInfo(name, streams.size() + 1, shardCount, 1, -1, -1, List.copyOf(infos)));
        return created;
    }

    @Override
    public synchronized StreamInfo describe(final String stream)
    {
        final StreamInfo info = streams.get(stream);
        if (info == null)
        {
            throw new UnknownStreamException(stream, "unknown stream '" + stream + "'; known streams: "
                + streams.keySet());
        }
        return info;
    }

    @Override
    public long allocateProducerId()
    {
        return producerIds.incrementAndGet();
    }

    /** Moves a shard to other replicas: channels opened for the old ones are answered SHARD_NOT_HOSTED. */
    synchronized void move(final String stream, final int shard, final Map<String, String> replicas)
    {
        final StreamInfo info = streams.get(stream);
        final List<StreamInfo.ShardInfo> moved = new ArrayList<>(info.shards());
        moved.set(shard, new StreamInfo.ShardInfo(shard, info.shard(shard).groupId(), replicas));
        streams.put(stream, new StreamInfo(stream, info.id(), info.shardCount(), info.replicationFactor(),
            info.retentionBytes(),
            info.retentionMs(), List.copyOf(moved)));
    }

    /** Deletes a stream: it is unknown to the metadata, and its groups answer SHARD_NOT_HOSTED. */
    synchronized void delete(final String stream)
    {
        streams.remove(stream);
    }

    private synchronized boolean current(final StreamInfo.ShardInfo shard)
    {
        return streams.values().stream().anyMatch(info -> info.shards().contains(shard));
    }

    @Override
    public synchronized ShardChannel open(final StreamInfo.ShardInfo shard)
    {
        final ShardChannel channel = shards.get(shard.groupId()).open(shard);
        return new ShardChannel()
        {
            @Override
            public CompletableFuture<AppendOutcome> append(final byte[] item)
            {
                return current(shard) ? channel.append(item) : CompletableFuture.completedFuture(AppendOutcome.of(
                    AppendStatus.SHARD_NOT_HOSTED, "fake: group " + shard.groupId() + " is not on " + shard.replicas()
                        .keySet()));
            }

            @Override
            public CompletableFuture<ReadOutcome> read(final long fromOffset, final int maxBytes, final int waitMs,
                final String replica, final long minIndex)
            {
                return current(shard) ? channel.read(fromOffset, maxBytes, waitMs, replica, minIndex)
                    : CompletableFuture.failedFuture(new IOException("fake: group " + shard.groupId() + " is not on "
                        + shard.replicas().keySet()));
            }

            @Override
            public String leader()
            {
                return channel.leader();
            }

            @Override
            public void close()
            {
                channel.close();
            }
        };
    }

    /**
     * Metadata that answers its first description, then hangs each later one until {@code quorumBack} opens (at
     * most 30 s), as a metadata quorum whose leader was killed; {@code describes} counts the calls.
     */
    MetadataView hangingAfterFirst(final CountDownLatch quorumBack,
        final AtomicInteger describes)
    {
        return new MetadataView()
        {
            @Override
            public StreamInfo describe(final String stream)
            {
                if (describes.incrementAndGet() > 1)
                {
                    try
                    {
                        quorumBack.await(30, TimeUnit.SECONDS);
                    }
                    catch (final InterruptedException e)
                    {
                        Thread.currentThread().interrupt();
                    }
                }
                return FakeCluster.this.describe(stream);
            }

            @Override
            public long allocateProducerId()
            {
                return FakeCluster.this.allocateProducerId();
            }

            @Override
            public void close()
            {
            }
        };
    }

    /** Metadata whose close does nothing, so a producer or consumer can close without closing the cluster. */
    MetadataView view()
    {
        return new MetadataView()
        {
            @Override
            public StreamInfo describe(final String stream)
            {
                return FakeCluster.this.describe(stream);
            }

            @Override
            public long allocateProducerId()
            {
                return FakeCluster.this.allocateProducerId();
            }

            @Override
            public void close()
            {
            }
        };
    }

    @Override
    public synchronized void close() throws IOException
    {
        for (final FakeShard shard : shards.values())
        {
            shard.close();
        }
        shards.clear();
    }
}
