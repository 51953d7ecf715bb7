package io.tributary.raft.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.ratis.thirdparty.io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ConnectionLaneTest
{
    /** Runs what it is given only when the test says, on the test's thread. */
    private static final class StepExecutor implements Executor
    {
        final Queue<Runnable> queued = new ArrayDeque<>();

        @Override
        public void execute(final Runnable command)
        {
            queued.add(command);
        }

        boolean runOne()
        {
            final Runnable next = queued.poll();
            if (next != null)
            {
                next.run();
            }
            return next != null;
        }
    }

    @Test
    void aConnectionsRequestsStartInOrderAndItStopsReadingWhenTooManyWait()
    {
        final EmbeddedChannel channel = new EmbeddedChannel();
        final StepExecutor executor = new StepExecutor();
        final ConnectionLane lane = new ConnectionLane(channel, executor);
        final List<Integer> ran = new ArrayList<>();
        for (int i = 0; i < ConnectionLane.HIGH_WATER; i++)
        {
            final int request = i;
            assertThat(channel.config().isAutoRead()).as("reading before request %d", i).isTrue();
            lane.submit(() -> ran.add(request));
        }
        assertThat(channel.config().isAutoRead()).as("reading with %d requests waiting", lane.pending()).isFalse();
        assertThat(executor.queued).as("one drain scheduled for the lane").hasSize(1);

        int drains = 0;
        while (lane.pending() > ConnectionLane.LOW_WATER)
        {
            assertThat(executor.runOne()).as("a drain is scheduled while %d wait", lane.pending()).isTrue();
            drains++;
        }
        assertThat(drains).as("the lane yields its thread between bursts").isGreaterThan(1);
        assertThat(channel.config().isAutoRead()).as("resumed only on the event loop").isFalse();
        channel.runPendingTasks();
        assertThat(channel.config().isAutoRead()).as("reading again at %d waiting", lane.pending()).isTrue();

        while (executor.runOne())
        {
            drains++;
        }
        assertThat(lane.pending()).isZero();
        assertThat(ran).hasSize(ConnectionLane.HIGH_WATER);
        for (int i = 0; i < ran.size(); i++)
        {
            assertThat(ran.get(i)).as("the request started %d-th", i).isEqualTo(i);
        }
        channel.finishAndReleaseAll();
    }

    @Test
    void aRequestThatWaitsHoldsUpOnlyItsOwnConnection() throws InterruptedException
    {
        final ExecutorService pool = Executors.newCachedThreadPool();
        final EmbeddedChannel slowChannel = new EmbeddedChannel();
        final EmbeddedChannel otherChannel = new EmbeddedChannel();
        try
        {
            final ConnectionLane slow = new ConnectionLane(slowChannel, pool);
            final ConnectionLane other = new ConnectionLane(otherChannel, pool);
            final CountDownLatch release = new CountDownLatch(1);
            final CountDownLatch otherServed = new CountDownLatch(1);
            final AtomicBoolean secondOfSlowRan = new AtomicBoolean();
            slow.submit(() ->
            {
                try
                {
                    release.await();
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            });
            slow.submit(() -> secondOfSlowRan.set(true));
            other.submit(otherServed::countDown);

            assertThat(otherServed.await(10, TimeUnit.SECONDS)).as("the other connection's request was served while"
                + " the slow one waits").isTrue();
            assertThat(secondOfSlowRan).as("the slow connection's next request waits behind its first").isFalse();
            release.countDown();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (slow.pending() > 0 && System.nanoTime() - deadlineNs < 0)
            {
                Thread.onSpinWait();
            }
            assertThat(secondOfSlowRan).as("served once the first was done").isTrue();
        }
        finally
        {
            pool.shutdownNow();
            slowChannel.finishAndReleaseAll();
            otherChannel.finishAndReleaseAll();
        }
    }

    @Test
    void aTaskThatThrowsDoesNotStopItsLane()
    {
        final EmbeddedChannel channel = new EmbeddedChannel();
        final StepExecutor executor = new StepExecutor();
        final ConnectionLane lane = new ConnectionLane(channel, executor);
        final AtomicBoolean next = new AtomicBoolean();
        lane.submit(() ->
        {
            throw new IllegalStateException("a bug in a request's start");
        });
        lane.submit(() -> next.set(true));
        while (executor.runOne())
        {
            assertThat(lane.pending()).isNotNegative();
        }
        assertThat(next).as("the request after the one that threw").isTrue();
        assertThat(lane.pending()).isZero();
        channel.finishAndReleaseAll();
    }
}
