package io.tributary.transport.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Order per lane, independence of lanes (a stuck group stops only itself), bounded queues. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupLanesTest
{
    @Test
    void eachLaneRunsInArrivalOrderAndAStuckLaneBlocksNoOther() throws Exception
    {
        try (GroupLanes lanes = new GroupLanes("test", 10_000))
        {
            final CountDownLatch release = new CountDownLatch(1);
            final CountDownLatch stuckStarted = new CountDownLatch(1);
            // Group 1's client lane is stuck, as a division whose lock is held forever.
            lanes.execute(0, 1, GroupLanes.Kind.CLIENT, () ->
            {
                stuckStarted.countDown();
                await(release);
            });
            assertThat(stuckStarted.await(10, TimeUnit.SECONDS)).isTrue();
            final List<Integer> peerOrder = Collections.synchronizedList(new ArrayList<>());
            final List<Integer> otherGroupOrder = Collections.synchronizedList(new ArrayList<>());
            final CountDownLatch done = new CountDownLatch(2 * 5_000);
            for (int i = 0; i < 5_000; i++)
            {
                final int n = i;
                lanes.execute(0, 1, GroupLanes.Kind.PEER, () -> { peerOrder.add(n); done.countDown(); });
                lanes.execute(0, 2, GroupLanes.Kind.CLIENT, () -> { otherGroupOrder.add(n); done.countDown(); });
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).as("the same group's peer lane and other groups go on")
                .isTrue();
            final List<Integer> expected = IntStream.range(0, 5_000).boxed().toList();
            assertThat(peerOrder).isEqualTo(expected);
            assertThat(otherGroupOrder).isEqualTo(expected);
            final CountDownLatch behindStuck = new CountDownLatch(1);
            lanes.execute(0, 1, GroupLanes.Kind.CLIENT, behindStuck::countDown);
            assertThat(behindStuck.getCount()).isEqualTo(1);
            release.countDown();
            assertThat(behindStuck.await(10, TimeUnit.SECONDS)).as("runs once the stuck request returns").isTrue();
        }
    }

    @Test
    void aFullLaneRefusesInsteadOfQueueingAndATaskThatThrowsDoesNotStopItsLane() throws Exception
    {
        try (GroupLanes lanes = new GroupLanes("test", 3))
        {
            final CountDownLatch release = new CountDownLatch(1);
            final CountDownLatch started = new CountDownLatch(1);
            lanes.execute(7, 7, GroupLanes.Kind.PEER, () -> { started.countDown(); await(release); });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            lanes.execute(7, 7, GroupLanes.Kind.PEER, () -> { throw new IllegalStateException("a bug in a task"); });
            final CountDownLatch last = new CountDownLatch(2);
            lanes.execute(7, 7, GroupLanes.Kind.PEER, last::countDown);
            lanes.execute(7, 7, GroupLanes.Kind.PEER, last::countDown);
            assertThatThrownBy(() -> lanes.execute(7, 7, GroupLanes.Kind.PEER, () -> { }))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("PEER lane of group 00000000-0000-0007-0000-000000000007 has 3 requests queued");
            release.countDown();
            assertThat(last.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(lanes.failures()).isEqualTo(1);
        }
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
