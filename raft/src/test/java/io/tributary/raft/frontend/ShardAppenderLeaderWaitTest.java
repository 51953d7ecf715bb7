package io.tributary.raft.frontend;

import static io.tributary.raft.frontend.AppenderFixture.appendedReply;
import static io.tributary.raft.frontend.AppenderFixture.await;
import static io.tributary.raft.frontend.AppenderFixture.member;
import static io.tributary.raft.frontend.AppenderFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.tributary.raft.frontend.AppenderFixture.CapturedResponse;
import io.tributary.raft.frontend.AppenderFixture.ScriptedShard;

import io.tributary.format.AppendStatus;

/**
 * A leader in transition: batches wait in the appender instead of being refused (the refusal cost
 * each producer a back-off of 100 ms or more), go to Raft once the leader is ready, are refused
 * NOT_LEADER naming the new leader once this replica no longer leads, and BUSY once they have waited
 * {@code frontend.leader.wait.ms}. The shard's division is scripted here: the refusals Ratis gives a
 * leader in transition happen in a window of milliseconds that a real cluster does not hit on demand.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShardAppenderLeaderWaitTest
{
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
    void aBatchForANewLeaderWaitsUntilTheLeaderIsReadyAndIsThenStored()
    {
        final ScriptedShard shard = new ScriptedShard();
        shard.leads = true;
        shard.ready = false;
        final ShardAppender appender = appender(shard, 1_000);
        final CapturedResponse response = send(appender, 1);

        await("the batch looked at the leader again at least 3 times", () -> stats.leaderWaits.sum() >= 3);
        assertThat(shard.submitted).as("nothing goes to Raft before the leader is ready").isEmpty();
        assertThat(response.statuses).as("and nothing is refused").isNull();

        shard.ready = true;
        await("the batch was submitted", () -> shard.submitted.size() == 1);
        shard.answer(0, appendedReply(shard.submitted.get(0), 1));
        await("the response", () -> response.statuses != null);
        assertThat(response.statuses).containsExactly(AppendStatus.APPENDED);
        assertThat(stats.busy.sum()).isZero();
    }

    @Test
    void anEntryRefusedByALeaderNotReadyGoesAgainAndIsStored()
    {
        final ScriptedShard shard = new ScriptedShard();
        final ShardAppender appender = appender(shard, 1_000);
        final CapturedResponse response = send(appender, 2);

        refuseFirstSubmission(shard, new LeaderNotReadyException(member()));
        await("the second submission", () -> shard.submitted.size() == 2);
        assertThat(response.statuses).as("not answered between the two").isNull();
        assertThat(shard.submitted.get(1).getMessage().getContent())
            .as("the same entry goes again").isEqualTo(shard.submitted.get(0).getMessage().getContent());
        shard.answer(1, appendedReply(shard.submitted.get(1), 2));
        await("the response", () -> response.statuses != null);
        assertThat(response.statuses).containsExactly(AppendStatus.APPENDED, AppendStatus.APPENDED);
        assertThat(stats.failedEntries.sum()).as("no entry counts as failed").isZero();
    }

    @Test
    void anEntryRefusedByALeaderHandingOverIsRefusedNotLeaderNamingTheNewLeader()
    {
        final ScriptedShard shard = new ScriptedShard();
        final ShardAppender appender = appender(shard, 1_000);
        final CapturedResponse response = send(appender, 1);

        await("the first submission", () -> shard.submitted.size() == 1);
        shard.ready = false;
        refuseFirstSubmission(shard, new LeaderSteppingDownException(member() + " is stepping down"));
        await("the entry waits", () -> stats.leaderWaits.sum() >= 2);
        shard.leaderHint = "n2";
        shard.leads = false;
        await("the response", () -> response.statuses != null);
        assertThat(response.statuses).containsExactly(AppendStatus.NOT_LEADER);
        assertThat(response.messages).containsExactly("n2");
        assertThat(shard.submitted).as("not submitted again").hasSize(1);
        assertThat(stats.failedEntries.sum()).as("a definite refusal, not an unknown outcome").isZero();
    }

    /**
     * A replica that has just stepped down knows no leader until the election ends (Ratis even names
     * itself for a few milliseconds): refused then, each producer backed off 100-800 ms, and the Jepsen
     * runs showed single appends of 0.5-1.2 s at preferred-leader moves.
     */
    @Test
    void aBatchForAReplicaThatJustSteppedDownWaitsForTheNewLeaderAndIsRefusedNamingIt()
    {
        final ScriptedShard shard = new ScriptedShard();
        final ShardAppender appender = appenderHoldingAsLongAsItWaits(shard, 10_000);
        storeOneAsLeader(shard, appender);

        shard.leads = false;
        assertThat(appender.holdsForNewLeader()).as("stepped down, Ratis still names this replica").isTrue();
        final CapturedResponse response = send(appender, 2);
        await("the batch looked at the leader again", () -> stats.leaderWaits.sum() >= 2);
        shard.leaderHint = "";
        final long waitsWithNoLeader = stats.leaderWaits.sum();
        await("it keeps waiting while an election is under way", () -> stats.leaderWaits.sum() >= waitsWithNoLeader
            + 2);
        assertThat(response.statuses).as("not refused while no leader is known").isNull();
        assertThat(shard.submitted).as("only the first batch went to Raft").hasSize(1);

        shard.leaderHint = "n3";
        assertThat(appender.holdsForNewLeader()).isFalse();
        await("the response", () -> response.statuses != null);
        assertThat(response.statuses).containsExactly(AppendStatus.NOT_LEADER, AppendStatus.NOT_LEADER);
        assertThat(response.messages).containsExactly("n3", "n3");
        assertThat(shard.submitted).as("a follower submits nothing").hasSize(1);
    }

    @Test
    void aBatchForAReplicaThatJustSteppedDownAndWinsTheElectionAgainIsStored()
    {
        final ScriptedShard shard = new ScriptedShard();
        final ShardAppender appender = appenderHoldingAsLongAsItWaits(shard, 10_000);
        storeOneAsLeader(shard, appender);

        shard.leads = false;
        shard.leaderHint = "";
        final CapturedResponse response = send(appender, 1);
        await("the batch waits", () -> stats.leaderWaits.sum() >= 2);
        shard.leaderHint = AppenderFixture.SELF.toString();
        shard.leads = true;
        await("the batch was submitted", () -> shard.submitted.size() == 2);
        shard.answer(1, appendedReply(shard.submitted.get(1), 1));
        await("the response", () -> response.statuses != null);
        assertThat(response.statuses).containsExactly(AppendStatus.APPENDED);
    }

    /**
     * A leader cut off from its peers but not from its producers steps down and learns of no leader until the
     * partition heals: its producers are sent elsewhere after {@link ShardAppender#NEW_LEADER_WAIT_MAX_NS}, not
     * after the whole leader wait.
     */
    @Test
    void aReplicaThatSteppedDownHoldsForANewLeaderNoLongerThanTheShortHold()
    {
        final ScriptedShard shard = new ScriptedShard();
        final ShardAppender appender = appender(shard, 60_000);
        storeOneAsLeader(shard, appender);
        shard.leads = false;
        shard.leaderHint = "";
        final long startNs = System.nanoTime();
        final CapturedResponse response = send(appender, 1);

        await("the response", () -> response.statuses != null);
        assertThat(System.nanoTime() - startNs).as("not held for the 60 s leader wait")
            .isLessThan(TimeUnit.SECONDS.toNanos(20));
        assertThat(response.statuses).containsExactly(AppendStatus.NOT_LEADER);
        assertThat(response.messages).containsExactly("");
    }

    /** A restarted replica that has not heard from the leader yet: its producer's placement is stale. */
    @Test
    void aReplicaThatHasNotLedLatelyRefusesAtOnceEvenWithNoLeaderKnown()
    {
        final ScriptedShard shard = new ScriptedShard();
        shard.leads = false;
        shard.leaderHint = "";
        final ShardAppender appender = appender(shard, 1_000);
        assertThat(appender.holdsForNewLeader()).isFalse();
        final CapturedResponse response = send(appender, 1);

        await("the response", () -> response.statuses != null);
        assertThat(response.statuses).containsExactly(AppendStatus.NOT_LEADER);
        assertThat(response.messages).containsExactly("");
        assertThat(stats.leaderWaits.sum()).as("no wait").isZero();
    }

    @Test
    void aBatchForAFollowerThatKnowsTheLeaderIsRefusedAtOnceNamingIt()
    {
        final ScriptedShard shard = new ScriptedShard();
        final ShardAppender appender = appender(shard, 1_000);
        storeOneAsLeader(shard, appender);
        shard.leads = false;
        shard.leaderHint = "n2";
        assertThat(appender.holdsForNewLeader()).isFalse();
        final CapturedResponse response = send(appender, 1);

        await("the response", () -> response.statuses != null);
        assertThat(response.statuses).containsExactly(AppendStatus.NOT_LEADER);
        assertThat(response.messages).containsExactly("n2");
        assertThat(stats.leaderWaits.sum()).as("no wait: the leader is known").isZero();
    }

    @Test
    void aReplicaThatSteppedDownAndLearnsNoLeaderRefusesNotLeaderAfterTheWait()
    {
        final ScriptedShard shard = new ScriptedShard();
        final ShardAppender appender = appender(shard, 50);
        // Before the first entry goes: the hold counts from this replica's last entry as leader.
        final long startNs = System.nanoTime();
        storeOneAsLeader(shard, appender);
        shard.leads = false;
        shard.leaderHint = "";
        final CapturedResponse response = send(appender, 1);

        await("the response", () -> response.statuses != null);
        assertThat(System.nanoTime() - startNs).as("answered after the wait")
            .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(response.statuses).containsExactly(AppendStatus.NOT_LEADER);
        assertThat(response.messages).containsExactly("");
    }

    /** One batch stored while the shard leads and is ready: the appender has seen it lead. */
    private static void storeOneAsLeader(final ScriptedShard shard, final ShardAppender appender)
    {
        final CapturedResponse response = send(appender, 1);
        await("the first submission", () -> shard.submitted.size() == 1);
        shard.answer(0, appendedReply(shard.submitted.get(0), 1));
        await("the first response", () -> response.statuses != null);
        assertThat(response.statuses).containsExactly(AppendStatus.APPENDED);
    }

    @Test
    void aLeaderThatDoesNotSettleWithinTheWaitRefusesBusy()
    {
        final ScriptedShard shard = new ScriptedShard();
        shard.ready = false;
        final ShardAppender appender = appender(shard, 50);
        final long startNs = System.nanoTime();
        final CapturedResponse response = send(appender, 1);

        await("the response", () -> response.statuses != null);
        assertThat(System.nanoTime() - startNs).as("answered after the wait")
            .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(response.statuses).containsExactly(AppendStatus.BUSY);
        assertThat(shard.submitted).isEmpty();
    }

    @Test
    void withTheWaitOffALeaderInTransitionRefusesAtOnce()
    {
        final ScriptedShard shard = new ScriptedShard();
        final ShardAppender appender = appender(shard, 0);
        assertThat(appender.waitsForLeader()).isFalse();
        final CapturedResponse first = send(appender, 1);
        refuseFirstSubmission(shard, new LeaderNotReadyException(member()));
        await("the response", () -> first.statuses != null);
        assertThat(first.statuses).as("refused, stored nowhere").containsExactly(AppendStatus.BUSY);

        shard.ready = false;
        final CapturedResponse second = send(appender, 1);
        await("the response", () -> second.statuses != null);
        assertThat(second.statuses).containsExactly(AppendStatus.BUSY);
        assertThat(stats.leaderWaits.sum()).isZero();
    }

    private ShardAppender appender(final ScriptedShard shard, final long leaderWaitMs)
    {
        return new ShardAppender(shard, pool, timer, ClientId.randomId(), new AtomicLong(), settings(leaderWaitMs),
            () -> 0, stats);
    }

    /** With the hold for a new leader as long as the leader wait, so a slow test thread cannot outlast it. */
    private ShardAppender appenderHoldingAsLongAsItWaits(final ScriptedShard shard, final long leaderWaitMs)
    {
        return new ShardAppender(shard, pool, timer, ClientId.randomId(), new AtomicLong(), settings(leaderWaitMs),
            () -> 0, stats,
            TimeUnit.MILLISECONDS.toNanos(leaderWaitMs));
    }

    private static FrontEndSettings settings(final long leaderWaitMs)
    {
        final FrontEndSettings defaults = FrontEndSettings.defaults();
        return new FrontEndSettings(defaults.entryBytesMax(), 1, defaults.queueBytesMax(), 1,
            defaults.requestBytesMax(), leaderWaitMs, 0);
    }

    /** Waits for the shard's first submission and answers it with Ratis's refusal {@code exception}. */
    private static void refuseFirstSubmission(final ScriptedShard shard, final RaftException exception)
    {
        await("the first submission", () -> shard.submitted.size() == 1);
        shard.answer(0, RaftClientReply.newBuilder().setRequest(shard.submitted.get(0)).setException(exception)
            .build());
    }
}
