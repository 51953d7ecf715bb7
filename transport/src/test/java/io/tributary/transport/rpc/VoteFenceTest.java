package io.tributary.transport.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fence that keeps a vote from being decided while accepted appendEntries are still on their
 * way to the log (Ratis 3.3 appends after its check, on another thread): a vote waits for them,
 * appends wait for a vote, and either side gives up after its bound instead of hanging.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VoteFenceTest
{
    private static final long LONG_NS = TimeUnit.SECONDS.toNanos(30);

    @Test
    void aVoteWaitsUntilEveryAppendInFlightHasReachedTheLog() throws Exception
    {
        final VoteFence fence = new VoteFence();
        assertThat(fence.appendStarted(false, LONG_NS)).isTrue();
        assertThat(fence.appendStarted(false, LONG_NS)).isTrue();
        final CompletableFuture<Boolean> vote = CompletableFuture.supplyAsync(() -> voteStarted(fence, LONG_NS));
        awaitTrue("the vote is pending", () -> fence.votesPending() == 1);
        fence.appendEnded();
        assertThat(vote).as("one append still in flight").isNotDone();
        fence.appendEnded();
        assertThat(vote.get(30, TimeUnit.SECONDS)).isTrue();
        fence.voteEnded();
        assertThat(fence.votesPending()).isZero();
        assertThat(fence.appendsInFlight()).isZero();
    }

    @Test
    void anAppendArrivingWhileAVoteIsDecidedWaitsForTheVote() throws Exception
    {
        final VoteFence fence = new VoteFence();
        assertThat(fence.voteStarted(LONG_NS)).isTrue();
        final CompletableFuture<Boolean> append = CompletableFuture.supplyAsync(() -> appendStarted(fence, LONG_NS));
        // The append must not enter while the vote holds the fence: give it every chance to, then check.
        for (int i = 0; i < 50; i++)
        {
            Thread.yield();
            // letting the other thread run, not waiting for a condition
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            assertThat(fence.appendsInFlight()).as("append entered during the vote").isZero();
        }
        assertThat(append).isNotDone();
        fence.voteEnded();
        assertThat(append.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(fence.appendsInFlight()).isEqualTo(1);
        fence.appendEnded();
    }

    @Test
    void aVoteIsRefusedWhenAnAppendNeverReachesTheLog_AndAppendsGoOnAfterwards() throws Exception
    {
        final VoteFence fence = new VoteFence();
        assertThat(fence.appendStarted(false, LONG_NS)).isTrue();
        assertThat(fence.voteStarted(TimeUnit.MILLISECONDS.toNanos(50))).as("refused after its bound").isFalse();
        assertThat(fence.votesPending()).as("a refused vote leaves nothing behind").isZero();
        assertThat(fence.appendStarted(false, 0)).as("appends are not held back by a refused vote").isTrue();
        fence.appendEnded();
        fence.appendEnded();
        assertThat(fence.voteStarted(0)).isTrue();
        assertThat(fence.appendStarted(false, TimeUnit.MILLISECONDS.toNanos(50)))
            .as("an append refused while a vote holds on").isFalse();
        fence.voteEnded();
    }

    @Test
    void aHeartbeatWaitsUntilTheAppendsBeforeItAreInTheLog() throws Exception
    {
        final VoteFence fence = new VoteFence();
        assertThat(fence.appendStarted(true, 0)).as("nothing in flight").isTrue();
        fence.appendEnded();
        assertThat(fence.appendStarted(false, LONG_NS)).isTrue();
        assertThat(fence.appendStarted(true, TimeUnit.MILLISECONDS.toNanos(50))).as("refused after its bound")
            .isFalse();
        assertThat(fence.appendsInFlight()).as("a refused heartbeat is not counted").isEqualTo(1);
        final CompletableFuture<Boolean> heartbeat = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return fence.appendStarted(true, LONG_NS);
            }
            catch (final InterruptedException e)
            {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < 20; i++)
        {
            // letting the other thread run, not waiting for a condition
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            assertThat(heartbeat).as("heartbeat passed an append in flight").isNotDone();
        }
        fence.appendEnded();
        assertThat(heartbeat.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(fence.appendsInFlight()).as("the heartbeat itself, once let through").isEqualTo(1);
        fence.appendEnded();
    }

    @Test
    void unbalancedEndsAreBugsWithTheirCounts()
    {
        final VoteFence fence = new VoteFence();
        assertThatThrownBy(fence::appendEnded).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("appends in flight 0");
        assertThatThrownBy(fence::voteEnded).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("votes pending 0");
    }

    private static boolean voteStarted(final VoteFence fence, final long timeoutNs)
    {
        try
        {
            return fence.voteStarted(timeoutNs);
        }
        catch (final InterruptedException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private static boolean appendStarted(final VoteFence fence, final long timeoutNs)
    {
        try
        {
            return fence.appendStarted(false, timeoutNs);
        }
        catch (final InterruptedException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime()).as(what).isLessThan(deadlineNs);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
