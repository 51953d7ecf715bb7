package io.tributary.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A system with known behaviour, to test the load generator's measurement (not a stand-in for
 * Tributary, which the dist tests measure for real): it acknowledges each record after
 * {@code ackDelayNs}, stores every value so consumers read them back, and can stall once: the
 * first send at or after {@code stallAfterRecords} blocks for {@code stallNs}, as a producer
 * blocked by back-pressure does.
 */
final class SimulatedSystem implements LoadSystem
{
    final List<byte[]> stored = new ArrayList<>();
    final AtomicInteger producersOpened = new AtomicInteger();
    private final long ackDelayNs;
    private final long stallAfterRecords;
    private final long stallNs;
    private final AtomicBoolean stalled = new AtomicBoolean();
    private final ScheduledExecutorService acks = Executors.newSingleThreadScheduledExecutor(r ->
    {
        final Thread thread = new Thread(r, "simulated-acks");
        thread.setDaemon(true);
        return thread;
    });
    private long sent;
    private boolean raftCounters;

    SimulatedSystem(final long ackDelayNs, final long stallAfterRecords, final long stallNs)
    {
        this.ackDelayNs = ackDelayNs;
        this.stallAfterRecords = stallAfterRecords;
        this.stallNs = stallNs;
    }

    /**
     * Pretend to be two Raft groups: every record sent is stored, half on each shard, in batches
     * of 5 records and entries of 10 records (2 batches).
     */
    SimulatedSystem withRaftCounters()
    {
        raftCounters = true;
        return this;
    }

    @Override
    public ClusterCounters clusterCounters(final String stream)
    {
        if (!raftCounters)
        {
            return ClusterCounters.NOT_AVAILABLE;
        }
        return new ClusterCounters()
        {
            @Override
            public boolean available()
            {
                return true;
            }

            @Override
            public Sample sample()
            {
                final long records = storedCount() / 2;
                return new Sample(List.of(new Shard(0, true, records / 10, records / 5, records),
                    new Shard(1, true, records / 10, records / 5, records)));
            }
        };
    }

    int storedCount()
    {
        synchronized (stored)
        {
            return stored.size();
        }
    }

    @Override
    public String name()
    {
        return "simulated";
    }

    @Override
    public void createStream(final String stream, final int shards, final int replicationFactor)
    {
    }

    @Override
    public LoadTarget producer(final String stream)
    {
        producersOpened.incrementAndGet();
        return new LoadTarget()
        {
            @Override
            public void send(final byte[] key, final byte[] value, final long intendedNs, final SendCallback callback)
            {
                final long count;
                synchronized (stored)
                {
                    stored.add(value.clone());
                    count = ++sent;
                }
                if (count >= stallAfterRecords && stalled.compareAndSet(false, true))
                {
                    final long untilNs = System.nanoTime() + stallNs;
                    while (untilNs - System.nanoTime() > 0)
                    {
                        LockSupport.parkNanos(untilNs - System.nanoTime()); // the simulated stall itself
                    }
                }
                acks.schedule(() -> callback.onComplete(intendedNs, null), ackDelayNs, TimeUnit.NANOSECONDS);
            }

            @Override
            public void flush() throws Exception
            {
                acks.schedule(() -> null, ackDelayNs, TimeUnit.NANOSECONDS).get(10, TimeUnit.SECONDS);
            }

            @Override
            public void close()
            {
            }
        };
    }

    @Override
    public LoadSource consumer(final String stream)
    {
        return new LoadSource()
        {
            private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
            private int next;

            @Override
            public int poll(final long timeoutMs, final ValueHandler handler)
            {
                int count = 0;
                synchronized (stored)
                {
                    for (; next < stored.size(); next++, count++)
                    {
                        buffer.wrap(stored.get(next));
                        handler.onValue(buffer, 0, buffer.capacity());
                    }
                }
                if (count == 0)
                {
                    // an empty poll waits, like a long-poll
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(timeoutMs, 5)));
                }
                return count;
            }

            @Override
            public void close()
            {
            }
        };
    }

    @Override
    public void close()
    {
        acks.shutdownNow();
    }
}
