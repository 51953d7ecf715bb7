package io.tributary.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.format.AppendStatus;
import io.tributary.raft.node.LocalCluster;
import io.tributary.raft.node.RunningCluster;

/**
 * An append that a client resends with the same call id after the leader changed (what Ratis's client does when its
 * leader steps down with the request in flight) is answered from the new leader's retry cache, which holds what that
 * replica's state machine returned when it applied the entry as a follower. That answer must be the append's result:
 * an empty one (followers once answered nothing) read as "the shard answered 0 bytes without a result" for a stored
 * append (CI run 37, RebalanceNettyTest).
 */
class RetriedAppendAfterLeaderChangeTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theNewLeaderAnswersAResentAppendWithItsResult() throws Exception
    {
        try (RunningCluster running = RunningCluster.builder(dir).transport("netty")
            .config("leader.rebalance.interval.ms", "0").start())
        {
            running.createStream("r", 1, 3);
            try (ShardTestClient shard = new ShardTestClient(running.metadata(), "r", 0))
            {
                // Once an append went through the usual way the group has settled on its leader.
                assertThat(shard.append(ShardTestClient.batch(-1, -1, "settle")).status())
                    .isEqualTo(AppendStatus.APPENDED);
                final String leader = shard.leader();
                final String follower = shard.group.getPeers().stream().map(p -> p.getId().toString())
                    .filter(id -> !id.equals(leader)).findFirst().orElseThrow();
                final Message append = Message.valueOf(UnsafeByteOperations.unsafeWrap(ShardTestClient.batch(-1, -1,
                    "once")));
                // A call id of this test's own: the client's counter never reaches it.
                final long callId = 1L << 40;
                final ShardTestClient.AppendReply first = send(shard, leader, callId, append);
                assertThat(first.status()).isEqualTo(AppendStatus.APPENDED);

                LocalCluster.await(follower + " applied the append", 30_000, () ->
                    shard.status(follower).nextOffset() == first.lastOffset() + 1);
                assertThat(shard.client.admin().transferLeadership(RaftPeerId.valueOf(follower), 10_000).isSuccess())
                    .as("leadership to %s", follower).isTrue();
                // Until it has taken over, the follower answers NotLeader or LeaderNotReady (nothing appended).
                final ShardTestClient.AppendReply[] resent = {null};
                LocalCluster.await(follower + " answers as leader", 30_000, () ->
                {
                    final RaftClientReply reply = sendRaw(shard, follower, callId, append);
                    if (reply.getNotLeaderException() != null
                        || reply.getException() instanceof LeaderNotReadyException)
                    {
                        return false;
                    }
                    resent[0] = decode(follower, reply);
                    return true;
                });
                assertThat(resent[0]).as("the new leader's cached answer").isEqualTo(first);
                assertThat(shard.status(follower).nextOffset()).as("stored once").isEqualTo(first.lastOffset() + 1);
            }
        }
    }

    private static ShardTestClient.AppendReply send(final ShardTestClient shard, final String server,
        final long callId, final Message message) throws Exception
    {
        return decode(server, sendRaw(shard, server, callId, message));
    }

    private static RaftClientReply sendRaw(final ShardTestClient shard, final String server, final long callId,
        final Message message) throws Exception
    {
        final RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(shard.client.getId())
            .setServerId(RaftPeerId.valueOf(server)).setGroupId(shard.group.getGroupId()).setCallId(callId)
            .setMessage(message).setType(RaftClientRequest.writeRequestType()).build();
        return shard.client.getClientRpc().sendRequest(request);
    }

    private static ShardTestClient.AppendReply decode(final String server, final RaftClientReply reply)
    {
        assertThat(reply.isSuccess()).as("%s: %s", server, reply.getException()).isTrue();
        return ShardTestClient.AppendReply.decode(reply.getMessage().getContent().toByteArray());
    }
}
