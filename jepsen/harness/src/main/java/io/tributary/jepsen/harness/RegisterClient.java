package io.tributary.jepsen.harness;

import io.tributary.client.AppendRejectedException;
import io.tributary.client.ConditionalResult;
import io.tributary.client.Producer;
import io.tributary.protocol.ShardRing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The register workload: a register per key, its value the value of the key's last record.
 * write = a plain (idempotent) send; cas = a conditional append expecting the offset of the
 * record that holds the expected value (values are unique, so "the key's last record is at that
 * offset" is exactly "the register holds that value"); read = linearizable reads of the key's
 * shard up to its end, where the last read's ReadIndex is the moment the value was current.
 * Each process keeps what it has read of each shard (records never change), so a read fetches
 * only what is new.
 */
final class RegisterClient extends ClientProcess
{
    private static final int READ_BYTES = 1 << 20;
    private static final int KEY_GENERATION_S = 15;

    /** What this process has read of one shard: every key's last value and that record's offset. */
    private static final class ShardView
    {
        long position;
        final Map<String, Long> values = new HashMap<>();
        final Map<String, Long> offsets = new HashMap<>();
    }

    private final int keys;
    private final int index;
    private final ShardRing ring;
    private final Producer producer;
    private final ShardReads reads;
    private final Map<Integer, ShardView> views = new HashMap<>();

    RegisterClient(final ClientContext context, final int index, final int keys)
    {
        super(context, index);
        this.keys = keys;
        this.index = index;
        this.ring = context.ring();
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
    }

    @Override
    void step(final Random random)
    {
        // Each thread uses two neighbouring keys of the set, so a key sees at most a few threads at once: with
        // every thread on every key, a pause left one key with so many concurrent indeterminate writes that its
        // linearizability search ran out of memory (register, pause, seed 105: "unknown").
        final String key = "k" + (generation() * keys + (index + random.nextInt(2)) % keys);
        final double choice = random.nextDouble();
        if (choice < 0.5)
        {
            read(key);
        }
        else if (choice < 0.75)
        {
            write(key, context.nextValue());
        }
        else
        {
            cas(key, context.nextValue());
        }
    }

    /**
     * Which set of keys is in use: a fresh set every 15 s, as Jepsen's independent keys do, so each
     * key's history stays small enough for the linearizability search whatever the run's length
     * (with many indeterminate operations, one key's history of minutes can take hours to check).
     */
    private int generation()
    {
        return (int)TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - context.startNs()) / KEY_GENERATION_S;
    }

    /** Every key used so far, split over the processes. */
    @Override
    void finalReads(final int index)
    {
        final int used = (generation() + 1) * keys;
        for (int k = index % context.concurrency(); k < used; k += context.concurrency())
        {
            read("k" + k);
        }
    }

    private int shardOf(final String key)
    {
        return ring.shardFor(key.getBytes(StandardCharsets.UTF_8));
    }

    void read(final String key)
    {
        invoke("read", key, null);
        final int shard = shardOf(key);
        final ShardView view = views.computeIfAbsent(shard, s -> new ShardView());
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(context.opTimeoutMs());
        try
        {
            while (true)
            {
                final ShardReads.Result result = reads.read(shard, view.position, READ_BYTES, null, 0);
                if (result.from() != view.position)
                {
                    throw new IOException("shard " + shard + " no longer has offsets " + view.position + " to "
                        + result.from() + " (retention deleted them); a register's value needs its whole shard");
                }
                for (int i = 0; i < result.values().size(); i++)
                {
                    final String recordKey = result.keys().get(i);
                    if (recordKey != null)
                    {
                        view.values.put(recordKey, Long.parseLong(result.values().get(i)));
                        view.offsets.put(recordKey, result.offsets().get(i));
                    }
                }
                final boolean end = result.reachedEnd();
                view.position += result.values().size();
                if (end)
                {
                    ok("read", key, view.values.get(key));
                    return;
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    fail("read", key, null, "timed out before reaching the end of shard " + shard);
                    return;
                }
            }
        }
        catch (final IOException | RuntimeException e)
        {
            // A read changes nothing: a failed one simply did not happen.
            fail("read", key, null, describe(e));
        }
    }

    /** Returns whether the write was acknowledged. */
    boolean write(final String key, final long value)
    {
        invoke("write", key, value);
        try
        {
            producer.send(context.stream(), bytes(key), bytes(Long.toString(value)))
                .get(context.opTimeoutMs() + 5_000, TimeUnit.MILLISECONDS);
            ok("write", key, value);
            return true;
        }
        catch (final ExecutionException e)
        {
            if (e.getCause() instanceof AppendRejectedException)
            {
                fail("write", key, value, "rejected: " + describe(e));
            }
            else
            {
                info("write", key, value, describe(e));
            }
        }
        catch (final TimeoutException e)
        {
            info("write", key, value, "timed-out");
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            info("write", key, value, "interrupted");
        }
        return false;
    }

    private void cas(final String key, final long value)
    {
        final ShardView view = views.computeIfAbsent(shardOf(key), s -> new ShardView());
        final Long expected = view.values.get(key);
        final long expectedOffset = expected == null ? -1 : view.offsets.get(key);
        final Object[] pair = {expected, value};
        invoke("cas", key, Arrays.asList(pair));
        try
        {
            final ConditionalResult result = producer.sendConditional(context.stream(), bytes(key),
                bytes(Long.toString(value)), expectedOffset).get(context.opTimeoutMs() + 5_000, TimeUnit.MILLISECONDS);
            if (result.appended())
            {
                ok("cas", key, Arrays.asList(pair));
            }
            else
            {
                fail("cas", key, Arrays.asList(pair), "cas-failed");
            }
        }
        catch (final ExecutionException e)
        {
            if (e.getCause() instanceof AppendRejectedException)
            {
                fail("cas", key, Arrays.asList(pair), "rejected: " + describe(e));
            }
            else
            {
                info("cas", key, Arrays.asList(pair), describe(e));
            }
        }
        catch (final TimeoutException e)
        {
            info("cas", key, Arrays.asList(pair), "timed-out");
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            info("cas", key, Arrays.asList(pair), "interrupted");
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close()
    {
        producer.close(Duration.ofSeconds(2));
        reads.close();
    }
}
