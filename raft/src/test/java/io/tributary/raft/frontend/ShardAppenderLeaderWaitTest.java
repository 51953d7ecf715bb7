package io.tributary.raft.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.tributary.format.AppendStatus;
import io.tributary.protocol.AppendResultDescriptor;
import io.tributary.protocol.ProduceResponseDescriptor;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.protocol.net.Responder;
import io.tributary.raft.protocol.ShardEntryDescriptor;

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
    private static final RaftGroupId GROUP = RaftGroupId.randomId();
    private static final RaftPeerId SELF = RaftPeerId.valueOf("n1");

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

    @Test
    void aLeaderThatDoesNotSettleWithinTheWaitRefusesBusy()
    {
        final ScriptedShard shard = new ScriptedShard();
        shard.ready = false;
        final ShardAppender appender = appender(shard, 50);
        final long startNs = System.nanoTime();
        final CapturedResponse response = send(appender, 1);

        await("the response", () -> response.statuses != null);
        assertThat(System.nanoTime() - startNs).as("answered after the wait").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
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
        final FrontEndSettings defaults = FrontEndSettings.defaults();
        return new ShardAppender(shard, pool, timer, ClientId.randomId(), new AtomicLong(), new FrontEndSettings(
            defaults.entryBytesMax(), 1, defaults.queueBytesMax(), 1, defaults.requestBytesMax(), leaderWaitMs), stats);
    }

    /** Queues a request of {@code items} small items and kicks the appender. */
    private static CapturedResponse send(final ShardAppender appender, final int items)
    {
        final CapturedResponse response = new CapturedResponse();
        final PendingProduce request = new PendingProduce(response, 1, items);
        final UnsafeBuffer item = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < items; i++)
        {
            item.putInt(0, i);
            assertThat(appender.enqueue(request, i, item, 0, item.capacity())).isTrue();
        }
        appender.kick();
        return response;
    }

    private static RaftGroupMemberId member()
    {
        return RaftGroupMemberId.valueOf(SELF, GROUP);
    }

    /** Waits for the shard's first submission and answers it with Ratis's refusal {@code exception}. */
    private static void refuseFirstSubmission(final ScriptedShard shard, final RaftException exception)
    {
        await("the first submission", () -> shard.submitted.size() == 1);
        shard.answer(0, RaftClientReply.newBuilder().setRequest(shard.submitted.get(0)).setException(exception).build());
    }

    /** The state machine's answer to an entry of {@code items} items: each stored. */
    private static RaftClientReply appendedReply(final RaftClientRequest request, final int items)
    {
        final UnsafeBuffer results = new UnsafeBuffer(new byte[ShardEntryDescriptor.HEADER_LENGTH
            + items * AppendResultDescriptor.HEADER_LENGTH]);
        ShardEntryDescriptor.writeHeader(results, 0, items);
        int at = ShardEntryDescriptor.HEADER_LENGTH;
        for (int i = 0; i < items; i++)
        {
            at += AppendResultDescriptor.write(results, at, AppendStatus.APPENDED, i, i, AppendResultDescriptor.NONE,
                AppendResultDescriptor.NONE, null);
        }
        return RaftClientReply.newBuilder().setRequest(request).setSuccess()
            .setMessage(Message.valueOf(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(results.byteArray())))
            .build();
    }

    private static void await(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** A division whose role the test sets, and whose submissions the test answers. */
    private static final class ScriptedShard implements ShardAppender.Target
    {
        volatile boolean leads = true;
        volatile boolean ready = true;
        volatile String leaderHint = "n1";
        final List<RaftClientRequest> submitted = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<CompletableFuture<RaftClientReply>> replies = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public boolean leads()
        {
            return leads;
        }

        @Override
        public boolean leadsAndIsReady()
        {
            return leads && ready;
        }

        @Override
        public String leaderHint()
        {
            return leaderHint;
        }

        @Override
        public RaftPeerId serverId()
        {
            return SELF;
        }

        @Override
        public RaftGroupId groupId()
        {
            return GROUP;
        }

        @Override
        public CompletableFuture<RaftClientReply> submit(final RaftClientRequest request)
        {
            final CompletableFuture<RaftClientReply> reply = new CompletableFuture<>();
            replies.add(reply);
            submitted.add(request);
            return reply;
        }

        void answer(final int submission, final RaftClientReply reply)
        {
            replies.get(submission).complete(reply);
        }

        @Override
        public String toString()
        {
            return "shard 0 of stream test";
        }
    }

    /** The produce response, decoded: each item's status and message. */
    private static final class CapturedResponse implements Responder
    {
        volatile List<AppendStatus> statuses;
        volatile List<String> messages;

        @Override
        public SendStatus respond(final MessageType type, final long correlationId, final DirectBuffer buffer, final int offset,
            final int length)
        {
            assertThat(type).isEqualTo(MessageType.PRODUCE_RESPONSE);
            final int count = ProduceResponseDescriptor.itemCount(buffer, offset);
            final List<AppendStatus> decoded = new ArrayList<>();
            final List<String> texts = new ArrayList<>();
            int at = offset + ProduceResponseDescriptor.HEADER_LENGTH;
            for (int i = 0; i < count; i++)
            {
                decoded.add(AppendResultDescriptor.status(buffer, at));
                texts.add(AppendResultDescriptor.messageLength(buffer, at) == 0 ? "" : AppendResultDescriptor.message(buffer, at));
                at += AppendResultDescriptor.length(buffer, at);
            }
            messages = texts;
            statuses = decoded;
            return SendStatus.OK;
        }

        @Override
        public String peer()
        {
            return "test";
        }
    }
}
