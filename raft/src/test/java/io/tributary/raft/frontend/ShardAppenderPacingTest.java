package io.tributary.raft.frontend;

import static io.tributary.raft.frontend.AppenderFixture.appendedReply;
import static io.tributary.raft.frontend.AppenderFixture.await;
import static io.tributary.raft.frontend.AppenderFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.ratis.protocol.ClientId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.tributary.format.AppendStatus;
import io.tributary.raft.frontend.AppenderFixture.CapturedResponse;
import io.tributary.raft.frontend.AppenderFixture.ScriptedShard;

/**
 * Entry pacing in the appender: while the pacer asks for an interval, a shard's lone unfull entry
 * waits until that long after the shard's previous entry, and a full entry never waits (not when
 * it is queued, nor when it fills up during another entry's wait).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShardAppenderPacingTest
{
    /** Item sizes that fill an entry of {@link #ENTRY_BYTES_MAX} with two of them. */
    private static final int ENTRY_BYTES_MAX = 4096;
    private static final int BIG_ITEM_BYTES = 3000;

    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ShardAppender.Stats stats = new ShardAppender.Stats();

    @AfterEach
    void stop()
    {
        pool.shutdownNow();
        timer.shutdownNow();
    }

    @Test
    void aLoneEntryWaitsTheIntervalAfterTheShardsPreviousEntry()
    {
        final long intervalNs = TimeUnit.MILLISECONDS.toNanos(300);
        final ScriptedShard shard = new ScriptedShard();
        final ShardAppender appender = appender(shard, intervalNs, 1);

        // Taken before the first entry can go: the appender's own time of that submission is no earlier
        // (a time taken after seeing the submission is later than the appender's, by a scheduling delay).
        final long firstSubmittedNs = System.nanoTime();
        final CapturedResponse first = send(appender, 1);
        await("the first submission", () -> shard.submitted.size() == 1);
        shard.answer(0, appendedReply(shard.submitted.get(0), 1));
        await("the first response", () -> first.statuses != null);

        final CapturedResponse second = send(appender, 1);
        await("the second submission", () -> shard.submitted.size() == 2);
        assertThat(System.nanoTime() - firstSubmittedNs)
            .as("the second entry went no earlier than the interval after the first")
            .isGreaterThanOrEqualTo(intervalNs);
        shard.answer(1, appendedReply(shard.submitted.get(1), 1));
        await("the second response", () -> second.statuses != null);
        assertThat(second.statuses).containsExactly(AppendStatus.APPENDED);
    }

    @Test
    void withoutAnIntervalTheNextEntryGoesAtOnce()
    {
        final ScriptedShard shard = new ScriptedShard();
        final ShardAppender appender = appender(shard, 0, 2);
        send(appender, 1);
        await("the first submission", () -> shard.submitted.size() == 1);
        send(appender, 1);
        await("both entries submitted, neither answered yet", () -> shard.submitted.size() == 2);
    }

    @Test
    void aFullEntryDoesNotWaitForTheInterval()
    {
        final long intervalNs = TimeUnit.SECONDS.toNanos(30);
        final ScriptedShard shard = new ScriptedShard();
        final ShardAppender appender = appender(shard, intervalNs, 2);
        send(appender, 1);
        await("the first submission", () -> shard.submitted.size() == 1);

        final long startNs = System.nanoTime();
        AppenderFixture.send(appender, 2, BIG_ITEM_BYTES); // two entries' worth: the first of them is full
        await("the full entry's submission", () -> shard.submitted.size() == 2);
        assertThat(System.nanoTime() - startNs).as("well within the interval").isLessThan(intervalNs / 2);
    }

    @Test
    void anEntryThatFillsUpDuringTheWaitGoesAtOnce()
    {
        final long intervalNs = TimeUnit.SECONDS.toNanos(30);
        final ScriptedShard shard = new ScriptedShard();
        final ShardAppender appender = appender(shard, intervalNs, 2);
        send(appender, 1);
        await("the first submission", () -> shard.submitted.size() == 1);
        AppenderFixture.send(appender, 1, BIG_ITEM_BYTES);
        await("the drain waits on the interval", appender::waitsOnPacing);
        assertThat(shard.submitted).as("the lone unfull entry waits").hasSize(1);

        final long startNs = System.nanoTime();
        AppenderFixture.send(appender, 1, BIG_ITEM_BYTES); // does not fit: the waiting entry is now full
        await("the full entry's submission", () -> shard.submitted.size() == 2);
        assertThat(System.nanoTime() - startNs).as("well within the interval").isLessThan(intervalNs / 2);
        assertThat(appender.queuedBytes()).as("the new item waits in the next entry").isEqualTo(BIG_ITEM_BYTES);
    }

    private ShardAppender appender(final ScriptedShard shard, final long intervalNs, final int inFlightMax)
    {
        final FrontEndSettings defaults = FrontEndSettings.defaults();
        return new ShardAppender(shard, pool, timer, ClientId.randomId(), new AtomicLong(), new FrontEndSettings(
            ENTRY_BYTES_MAX, inFlightMax, defaults.queueBytesMax(), 1, defaults.requestBytesMax(), 0, 0), () ->
                intervalNs, stats);
    }
}
