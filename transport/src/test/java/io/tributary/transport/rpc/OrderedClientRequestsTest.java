package io.tributary.transport.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcReplyProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.util.ProtoUtils;
import org.junit.jupiter.api.Test;

class OrderedClientRequestsTest
{
    private final ClientId clientId = ClientId.randomId();
    private final RaftGroupId groupId = RaftGroupId.randomId();
    /** callIds in submission order. */
    private final List<Long> submitted = new ArrayList<>();
    /** Pending server futures by callId: the test completes them. */
    private final Map<Long, CompletableFuture<RaftClientReplyProto>> server = new ConcurrentHashMap<>();
    /** "callId@attempt" in reply order. */
    private final List<String> replies = new ArrayList<>();
    private final OrderedClientRequests ordered = new OrderedClientRequests(() -> "test", r ->
    {
        submitted.add(r.getCallId());
        final CompletableFuture<RaftClientReplyProto> future = new CompletableFuture<>();
        server.put(r.getCallId(), future);
        return future;
    });

    private RaftClientRequest request(final long seqNum, final boolean first)
    {
        return request(seqNum, seqNum, first, true);
    }

    /** To the leader (Ratis's client: no server named) or to this server by name, as a follower read is. */
    private RaftClientRequest request(final long callId, final long seqNum, final boolean first, final boolean toLeader)
    {
        final RaftClientRequest.Builder builder = RaftClientRequest.newBuilder();
        if (toLeader)
        {
            builder.setLeaderId(RaftPeerId.valueOf("s0"));
        }
        else
        {
            builder.setServerId(RaftPeerId.valueOf("s0"));
        }
        return builder.setClientId(clientId).setGroupId(groupId)
            .setCallId(callId).setMessage(Message.valueOf("m" + seqNum)).setType(RaftClientRequest.writeRequestType())
            .setSlidingWindowEntry(ProtoUtils.toSlidingWindowEntry(seqNum, first)).build();
    }

    private void receive(final long seqNum, final boolean first, final String attempt)
    {
        receive(request(seqNum, first), seqNum + "@" + attempt);
    }

    private void receive(final RaftClientRequest request, final String label)
    {
        ordered.receive(request, outcome ->
        {
            synchronized (replies)
            {
                replies.add(label + (outcome.failure() == null ? "" : "!"));
            }
        });
    }

    @Test
    void theLeaderBoundSequenceAndAFollowerReadSequenceOfOneClientAreSeparateWindows()
    {
        // Ratis numbers a client's requests to the leader and its requests to a named server separately.
        receive(request(101, 1, true, true), "leader-1");
        receive(request(102, 2, false, true), "leader-2");
        answer(101);
        answer(102);
        receive(request(201, 1, true, false), "named-1"); // the named sequence opens: it must not replace the other
        answer(201);
        receive(request(103, 3, false, true), "leader-3");
        assertThat(submitted).as("leader-3 is not held behind a gap").containsExactly(101L, 102L, 201L, 103L);
        answer(103);
        receive(request(202, 2, false, false), "named-2");
        answer(202);
        assertThat(replies).containsExactly("leader-1", "leader-2", "named-1", "leader-3", "named-2");
        assertThat(ordered.windowCount()).isEqualTo(2);
    }

    private void answer(final long callId)
    {
        server.remove(callId).complete(RaftClientReplyProto.newBuilder()
            .setRpcReply(RaftRpcReplyProto.newBuilder().setCallId(callId).setSuccess(true)).build());
    }

    @Test
    void outOfOrderArrivalsAreSubmittedAndAnsweredInSeqNumOrder()
    {
        receive(5, true, "a");
        receive(8, false, "a");
        receive(7, false, "a");
        assertThat(submitted).containsExactly(5L);
        receive(6, false, "a");
        assertThat(submitted).containsExactly(5L, 6L, 7L, 8L);
        answer(8);
        answer(6);
        assertThat(replies).isEmpty();
        answer(5);
        assertThat(replies).containsExactly("5@a", "6@a");
        answer(7);
        assertThat(replies).containsExactly("5@a", "6@a", "7@a", "8@a");
    }

    @Test
    void retriesAreAnsweredOnceOnTheLatestAttemptAndANewFirstRestartsTheSequence()
    {
        receive(1, true, "a");
        receive(2, false, "a");
        receive(2, false, "b"); // retry of an unanswered request: not submitted twice
        receive(1, true, "b"); // retry of the unanswered first request: same window
        assertThat(submitted).containsExactly(1L, 2L);
        answer(1);
        answer(2);
        assertThat(replies).containsExactly("1@b", "2@b");

        receive(2, false, "c"); // retry of an answered request: submitted again (the retry cache answers)
        answer(2);
        assertThat(replies).containsExactly("1@b", "2@b", "2@c");

        // The client restarts its sequence (leader change): a new first, then the rest out of order.
        receive(10, true, "a");
        receive(12, false, "a");
        receive(11, false, "a");
        assertThat(submitted).containsExactly(1L, 2L, 2L, 10L, 11L, 12L);
        answer(12);
        answer(11);
        answer(10);
        assertThat(replies).endsWith("10@a", "11@a", "12@a");
        assertThat(ordered.windowCount()).isEqualTo(1);
    }

    @Test
    void aFirstRequestHeldBehindAGapOpensANewWindow()
    {
        receive(1, true, "a");
        receive(3, false, "a"); // held: 2 never came
        assertThat(submitted).containsExactly(1L);
        receive(3, true, "b"); // the client restarts its sequence at 3
        assertThat(submitted).containsExactly(1L, 3L);
        receive(4, false, "a");
        answer(4);
        answer(3);
        assertThat(replies).containsExactly("3@b", "4@a");
        answer(1); // the replaced window's submitted request is still answered
        assertThat(replies).containsExactly("3@b", "4@a", "1@a");
    }

    @Test
    void requestsHeldBehindAGapAreKeptWhenTheClientRestartsItsSequence()
    {
        receive(1, true, "a");
        answer(1);
        receive(3, false, "a"); // held behind 2
        receive(5, false, "a"); // held: 4 waits on the client's retry timer
        receive(6, false, "a");
        assertThat(submitted).containsExactly(1L);
        // A timeout elsewhere restarts the client's sequence at its oldest unanswered request, 4 (2 and 3 were
        // answered by another server). It sent 5 and 6 once and resends them only when their own replies time out:
        // dropped with the old window, they would.
        receive(4, true, "b");
        assertThat(submitted).as("5 and 6 moved to the new window, 3 (before its first) did not")
            .containsExactly(1L, 4L, 5L, 6L);
        receive(6, false, "b"); // a retry of a carried request answers the latest attempt
        answer(4);
        answer(5);
        answer(6);
        assertThat(replies).containsExactly("1@a", "4@b", "5@a", "6@b");
        assertThat(ordered.windowCount()).isEqualTo(1);
    }

    @Test
    void failedSubmissionsAreAnsweredInOrderAndCloseClearsTheWindows()
    {
        receive(1, true, "a");
        receive(2, false, "a");
        server.remove(2L).completeExceptionally(new IOException("boom"));
        assertThat(replies).isEmpty();
        answer(1);
        assertThat(replies).containsExactly("1@a", "2@a!");
        ordered.close();
        assertThat(ordered.windowCount()).isZero();
    }
}
