package io.tributary.jepsen.harness;

import io.tributary.client.AppendRejectedException;
import io.tributary.client.Consumer;
import io.tributary.client.ConsumerBatch;
import io.tributary.client.ConsumerConfig;
import io.tributary.client.OffsetOutOfRangeException;
import io.tributary.client.Producer;
import io.tributary.client.RecordMetadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The log workload: appends of unique values to shards through the idempotent producer (which
 * resends on its own, so duplicates would show), and reads of ranges: linearizable ones on the
 * leader and follower reads on a replica picked at random, each never behind the applied index
 * this process has already seen on that shard. A share of the linearizable reads goes through the
 * client's {@link Consumer} (seek and poll, as an application reads), which does not tell where the
 * shard ends, so those reads claim no end. Final reads take every shard from offset 0 (or
 * the first offset retention kept) to its end.
 */
final class LogClient extends ClientProcess
{
    private static final int READ_BYTES = 64 << 10;
    private static final double FOLLOWER_READS = 0.25;
    /** Of the reads that are not follower reads, the share made through the Consumer API. */
    private static final double CONSUMER_READS = 0.4;

    private final Producer producer;
    private final ShardReads reads;
    private final String[] keys;
    private final long[] lastEnd;
    private final long[] minAppliedIndex;
    /** Made at the first consumer read; assigned one shard at a time. */
    private Consumer consumer;
    private int consumerShard = -1;

    LogClient(final ClientContext context, final int index)
    {
        super(context, index);
        try
        {
            this.producer = Producer.create(context.producerConfig());
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("client " + index + " cannot create its producer: " + e.getMessage(), e);
        }
        this.reads = new ShardReads(context.metadataPeers(), context.transport(), context.tls(), context.stream(),
            3_000);
        this.keys = new String[context.shards()];
        for (int shard = 0; shard < keys.length; shard++)
        {
            keys[shard] = context.keyFor(shard);
        }
        this.lastEnd = new long[keys.length];
        this.minAppliedIndex = new long[keys.length];
    }

    @Override
    void step(final Random random)
    {
        final int shard = random.nextInt(keys.length);
        if (random.nextDouble() < 0.6)
        {
            append(shard, context.nextValue());
        }
        else
        {
            final long from = Math.max(0, lastEnd[shard] - random.nextInt(50));
            final double kind = random.nextDouble();
            if (kind < FOLLOWER_READS)
            {
                read(shard, from, random);
            }
            else if (kind < FOLLOWER_READS + (1 - FOLLOWER_READS) * CONSUMER_READS)
            {
                consumerRead(shard, from);
            }
            else
            {
                read(shard, from, null);
            }
        }
    }

    /**
     * Every shard whole, from offset 0 to its end, split over processes; retried until it succeeds or time runs out.
     */
    @Override
    void finalReads(final int index)
    {
        for (int shard = index; shard < keys.length; shard += context.concurrency())
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!finalRead(shard) && System.nanoTime() - deadlineNs < 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
        }
    }

    void append(final int shard, final long value)
    {
        invoke("append", shard, value);
        try
        {
            final RecordMetadata metadata =
                producer.send(context.stream(), keys[shard].getBytes(StandardCharsets.UTF_8),
                Long.toString(value).getBytes(StandardCharsets.UTF_8))
                    .get(context.opTimeoutMs() + 5_000, TimeUnit.MILLISECONDS);
            if (metadata.shard() != shard)
            {
                throw new IllegalStateException("key " + keys[shard] + " went to shard " + metadata.shard() + ", not "
                    + shard);
            }
            ok("append", shard, metadata.offset());
        }
        catch (final ExecutionException e)
        {
            if (e.getCause() instanceof AppendRejectedException)
            {
                fail("append", shard, value, "rejected: " + describe(e));
            }
            else
            {
                info("append", shard, value, describe(e));
            }
        }
        catch (final TimeoutException e)
        {
            info("append", shard, value, "timed-out");
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            info("append", shard, value, "interrupted");
        }
    }

    private void read(final int shard, final long from, final Random followerChoice)
    {
        final Map<String, Object> request = new LinkedHashMap<>();
        request.put("from", from);
        request.put("consistency", followerChoice == null ? "linearizable" : "follower");
        invoke("read", shard, request);
        try
        {
            String replica = null;
            if (followerChoice != null)
            {
                final List<String> replicas = reads.replicas(shard);
                replica = replicas.get(followerChoice.nextInt(replicas.size()));
                request.put("replica", replica);
            }
            final ShardReads.Result result = reads.read(shard, from, READ_BYTES, replica, minAppliedIndex[shard]);
            minAppliedIndex[shard] = Math.max(minAppliedIndex[shard], result.appliedIndex());
            final boolean end = result.reachedEnd();
            lastEnd[shard] = Math.max(lastEnd[shard], result.from() + result.values().size());
            ok("read", shard, readValue(result.from(), toLongs(result.values()), end ? result.nextOffset() : null));
        }
        catch (final IOException | RuntimeException e)
        {
            fail("read", shard, request, describe(e));
        }
    }

    /**
     * A linearizable read through the Consumer API: seek, then one poll of up to a second. What it returns
     * starts at {@code from} (or, when retention deleted that, at the shard's first offset) and is dense;
     * the consumer does not say whether it reached the end, so the read claims none.
     */
    private void consumerRead(final int shard, final long from)
    {
        final Map<String, Object> request = new LinkedHashMap<>();
        request.put("from", from);
        request.put("consistency", "linearizable");
        request.put("api", "consumer");
        invoke("read", shard, request);
        try
        {
            if (consumer == null)
            {
                consumer = Consumer.create(new ConsumerConfig().metadataPeers(context.metadataPeers())
                    .transport(context.transport()).tls(context.tls()).requestTimeoutMs(3_000).failAfterMs(5_000)
                    .longPollMaxMs(500));
            }
            if (consumerShard != shard)
            {
                consumer.assign(context.stream(), shard);
                consumerShard = shard;
            }
            consumer.seek(shard, from);
            ConsumerBatch batch;
            try
            {
                batch = consumer.poll(Duration.ofSeconds(1));
            }
            catch (final OffsetOutOfRangeException e)
            {
                // Retention deleted `from`: read from the first offset kept, as an application would.
                consumer.seekToBeginning();
                batch = consumer.poll(Duration.ofSeconds(1));
            }
            long first = -1;
            final List<Long> values = new ArrayList<>();
            while (batch.nextRecord())
            {
                final long offset = batch.record().offset();
                if (first < 0)
                {
                    first = offset;
                }
                if (batch.shard() != shard || offset != first + values.size())
                {
                    throw new IllegalStateException("the consumer returned shard " + batch.shard() + " offset " + offset
                        + " after " + values.size() + " records from " + first + " of shard " + shard);
                }
                final byte[] value = batch.record().valueBytes();
                values.add(value == null ? null : Long.parseLong(new String(value, StandardCharsets.UTF_8)));
            }
            final long start = first < 0 ? from : first;
            lastEnd[shard] = Math.max(lastEnd[shard], start + values.size());
            ok("read", shard, readValue(start, values, null));
        }
        catch (final IOException | RuntimeException e)
        {
            fail("read", shard, request, describe(e));
            // A consumer that failed may hold a stale view: the next read makes a fresh one.
            closeConsumer();
        }
    }

    private void closeConsumer()
    {
        if (consumer != null)
        {
            consumer.close();
            consumer = null;
            consumerShard = -1;
        }
    }

    private boolean finalRead(final int shard)
    {
        final Map<String, Object> request = new LinkedHashMap<>();
        request.put("from", 0L);
        request.put("consistency", "linearizable");
        invoke("final-read", shard, request);
        final List<Long> values = new ArrayList<>();
        long first = -1;
        try
        {
            while (true)
            {
                final ShardReads.Result result =
                    reads.read(shard, first < 0 ? 0 : first + values.size(), 4 << 20, null, 0);
                if (first < 0)
                {
                    // 0, or the first offset retention kept.
                    first = result.from();
                }
                else if (result.from() != first + values.size())
                {
                    // Retention deleted records this read had not reached yet: start again from the new first offset.
                    values.clear();
                    first = result.from();
                }
                values.addAll(toLongs(result.values()));
                if (result.reachedEnd())
                {
                    ok("final-read", shard, readValue(first, values, result.nextOffset()));
                    return true;
                }
            }
        }
        catch (final IOException | RuntimeException e)
        {
            fail("final-read", shard, request, describe(e));
            return false;
        }
    }

    private static Map<String, Object> readValue(final long from, final List<Long> values, final Long end)
    {
        final Map<String, Object> value = new LinkedHashMap<>();
        value.put("from", from);
        value.put("values", values);
        value.put("end", end);
        return value;
    }

    private static List<Long> toLongs(final List<String> values)
    {
        final List<Long> longs = new ArrayList<>(values.size());
        for (final String value : values)
        {
            longs.add(value == null ? null : Long.parseLong(value));
        }
        return longs;
    }

    @Override
    public void close()
    {
        producer.close(Duration.ofSeconds(2));
        reads.close();
        closeConsumer();
    }
}
