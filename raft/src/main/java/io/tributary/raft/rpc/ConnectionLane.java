package io.tributary.raft.rpc;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.ratis.thirdparty.io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's requests, started in the order they arrived, one at a time, on a shared executor: the Netty
 * server's event loop only decodes and hands over, so a request that waits (a follower's log write, a division being
 * created) never holds up the other connections on the same event loop, and the order in which a peer's requests
 * reach the Raft server is the order it sent them, as on a gRPC stream. A task only starts a request (the server's
 * asynchronous calls); its reply is written when the request completes, in any order (callers match by call id).
 * When {@link #HIGH_WATER} tasks wait, the connection stops reading until they are down to {@link #LOW_WATER}, so a
 * peer that sends faster than the server starts requests is held back by TCP instead of filling the heap.
 */
final class ConnectionLane
{
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLane.class);

    static final int HIGH_WATER = 1024;
    static final int LOW_WATER = HIGH_WATER / 4;

    /** Tasks run in one go before the lane yields its thread to the other connections' lanes. */
    private static final int BURST = 64;

    private final Channel channel;
    private final Executor executor;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Tasks queued or running; the lane's drain is scheduled exactly when this goes from 0 to 1. */
    private final AtomicInteger pending = new AtomicInteger();

    ConnectionLane(final Channel channel, final Executor executor)
    {
        this.channel = channel;
        this.executor = executor;
    }

    /** Queues {@code task}; called on the connection's event loop. */
    void submit(final Runnable task)
    {
        tasks.add(task); // before the count, so a drain that sees the count sees the task
        final int queued = pending.incrementAndGet();
        if (queued == 1)
        {
            executor.execute(this::drain);
        }
        else if (queued >= HIGH_WATER && channel.config().isAutoRead())
        {
            channel.config().setAutoRead(false);
        }
    }

    int pending()
    {
        return pending.get();
    }

    private void drain()
    {
        for (int ran = 1; ; ran++)
        {
            final Runnable task = tasks.poll();
            assert task != null : "a lane counted " + pending.get() + " tasks but holds none";
            try
            {
                task.run();
            }
            catch (final RuntimeException e)
            {
                // A task answers its own failures; one that throws anyway must not stop the lane.
                LOG.warn("a request from {} failed before it could be answered: {}", channel.remoteAddress(),
                    e.toString(), e);
            }
            final int left = pending.decrementAndGet();
            if (left == LOW_WATER)
            {
                channel.eventLoop().execute(this::resumeReading);
            }
            if (left == 0)
            {
                return;
            }
            if (ran == BURST)
            {
                executor.execute(this::drain);
                return;
            }
        }
    }

    private void resumeReading()
    {
        if (pending.get() < HIGH_WATER && !channel.config().isAutoRead())
        {
            channel.config().setAutoRead(true);
        }
    }
}
