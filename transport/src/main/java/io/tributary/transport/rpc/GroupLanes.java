package io.tributary.transport.rpc;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * Runs inbound requests off the polling thread, in arrival order per (Raft group, lane), each
 * lane on its own at a time, lanes in parallel on a shared pool.
 *
 * Why: Ratis's "async" entry points are not all non-blocking. {@code submitClientRequestAsync}
 * joins on the division's client executor, which waits for the division's lock; when that lock is
 * held for long (or forever: a leader removed from its group's configuration closes itself under
 * the lock while its client executor waits for the same lock, seen in RebalanceTest), a caller on
 * the polling thread would stop the node's whole transport (no votes, no appends for any group).
 * In a lane only that group's requests wait.
 *
 * Order: a follower must see a leader's pipelined appendEntries in the order they arrived, and the
 * ordered client window submits in seqNum order, so each lane is FIFO. Peer traffic (appendEntries,
 * readIndex) and client/admin traffic of a group use separate lanes, so a client request stuck on
 * a division never delays replication.
 *
 * Memory: a lane holds at most {@code maxQueuedPerLane} requests; beyond that the caller is told
 * (RejectedExecutionException) and answers "busy", never queueing without bound.
 */
final class GroupLanes implements AutoCloseable
{
    enum Kind
    {
        PEER, CLIENT
    }

    private record Key(long groupMsb, long groupLsb, Kind kind)
    {
    }

    private final class Lane implements Runnable
    {
        private final Key key;
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private boolean scheduled;

        Lane(final Key key)
        {
            this.key = key;
        }

        /** Under the lane's lock. */
        boolean offer(final Runnable task)
        {
            if (queue.size() >= maxQueuedPerLane)
            {
                return false;
            }
            queue.addLast(task);
            if (!scheduled)
            {
                scheduled = true;
                pool.execute(this);
            }
            return true;
        }

        @Override
        public void run()
        {
            while (true)
            {
                final Runnable task;
                synchronized (this)
                {
                    task = queue.pollFirst();
                    if (task == null)
                    {
                        // The lane stays (a busy group's lane drains and refills all the time); see prune().
                        scheduled = false;
                        return;
                    }
                }
                try
                {
                    task.run();
                }
                catch (final RuntimeException ex)
                {
                    // The tasks answer their own failures; this is a bug, and the lane must go on.
                    failures.incrementAndGet();
                    LoggerFactory.getLogger(GroupLanes.class)
                        .error("{}: request task failed in lane {}", name, key, ex);
                }
            }
        }
    }

    /** Lanes kept before idle ones are dropped: two per group, a node hosts far fewer groups. */
    private static final int LANES_MAX = 4096;

    private final String name;
    private final int maxQueuedPerLane;
    private final Map<Key, Lane> lanes = new ConcurrentHashMap<>();
    private final ExecutorService pool;
    private final AtomicInteger failures = new AtomicInteger();

    GroupLanes(final String name, final int maxQueuedPerLane)
    {
        this.name = name;
        this.maxQueuedPerLane = maxQueuedPerLane;
        final AtomicInteger threads = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r ->
        {
            final Thread thread = new Thread(r, name + "-lane-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Queues {@code task} behind the group's earlier requests of the same kind.
     *
     * @throws RejectedExecutionException when the lane is full or the lanes are closed.
     */
    void execute(final long groupMsb, final long groupLsb, final Kind kind, final Runnable task)
    {
        final Key key = new Key(groupMsb, groupLsb, kind);
        if (lanes.size() > LANES_MAX)
        {
            prune();
        }
        while (true)
        {
            final Lane lane = lanes.computeIfAbsent(key, Lane::new);
            synchronized (lane)
            {
                // A lane pruned meanwhile must not take new work: retry with a fresh one.
                if (lanes.get(key) != lane)
                {
                    continue;
                }
                if (!lane.offer(task))
                {
                    throw new RejectedExecutionException(name + ": " + kind + " lane of group "
                        + new UUID(groupMsb, groupLsb) + " has " + maxQueuedPerLane + " requests queued");
                }
                return;
            }
        }
    }

    /** Drops idle lanes (groups that went away, or quiet ones, which get a new lane when they speak again). */
    private void prune()
    {
        for (final Map.Entry<Key, Lane> entry : lanes.entrySet())
        {
            final Lane idle = entry.getValue();
            synchronized (idle)
            {
                if (!idle.scheduled && idle.queue.isEmpty())
                {
                    lanes.remove(entry.getKey(), idle);
                }
            }
        }
    }

    /** Tasks that threw (a bug: tasks answer their own failures). */
    int failures()
    {
        return failures.get();
    }

    @Override
    public void close()
    {
        pool.shutdownNow();
    }
}
