package io.tributary.raft.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import io.tributary.format.AppendStatus;
import io.tributary.protocol.AppendResultDescriptor;
import io.tributary.protocol.ProduceResponseDescriptor;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.protocol.net.Responder;
import io.tributary.raft.protocol.ShardEntryDescriptor;

/**
 * What the appender tests share: a division whose role the test sets and whose submissions it
 * answers, a produce response decoded, and requests of small items.
 */
final class AppenderFixture
{
    static final RaftGroupId GROUP = RaftGroupId.randomId();
    static final RaftPeerId SELF = RaftPeerId.valueOf("n1");

    private AppenderFixture()
    {
    }

    /** Queues a request of {@code items} small items and kicks the appender. */
    static CapturedResponse send(final ShardAppender appender, final int items)
    {
        return send(appender, items, 64);
    }

    /** Queues a request of {@code items} items of {@code itemBytes} each and kicks the appender. */
    static CapturedResponse send(final ShardAppender appender, final int items, final int itemBytes)
    {
        final CapturedResponse response = new CapturedResponse();
        final PendingProduce request = new PendingProduce(response, 1, items);
        final UnsafeBuffer item = new UnsafeBuffer(new byte[itemBytes]);
        for (int i = 0; i < items; i++)
        {
            item.putInt(0, i);
            assertThat(appender.enqueue(request, i, item, 0, item.capacity())).isTrue();
        }
        appender.kick();
        return response;
    }

    static RaftGroupMemberId member()
    {
        return RaftGroupMemberId.valueOf(SELF, GROUP);
    }

    /** The state machine's answer to an entry of {@code items} items: each stored. */
    static RaftClientReply appendedReply(final RaftClientRequest request, final int items)
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
            .setMessage(Message.valueOf(ByteString.copyFrom(results.byteArray())))
            .build();
    }

    static void await(final String what, final BooleanSupplier condition)
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
    static final class ScriptedShard implements ShardAppender.Target
    {
        volatile boolean leads = true;
        volatile boolean ready = true;
        volatile String leaderHint = "n1";
        final List<RaftClientRequest> submitted = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<RaftClientReply>> replies = new CopyOnWriteArrayList<>();

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
    static final class CapturedResponse implements Responder
    {
        volatile List<AppendStatus> statuses;
        volatile List<String> messages;

        @Override
        public SendStatus respond(final MessageType type, final long correlationId, final DirectBuffer buffer,
            final int offset,
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
                texts.add(AppendResultDescriptor.messageLength(buffer, at) == 0 ? ""
                    : AppendResultDescriptor.message(buffer, at));
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
