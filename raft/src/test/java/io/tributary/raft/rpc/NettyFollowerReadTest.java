package io.tributary.raft.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.protocol.net.LoopbackPorts;
import io.tributary.raft.node.RaftSettings;

/**
 * A linearizable read that a Ratis client sends to a follower over the Netty transport is redirected to the leader at
 * once ({@link NettyReadIndexRedirect}); without it the follower's ReadIndex call failed inside Netty's pipeline and
 * the read waited for the client's request timeout (20 s here) before the client tried another server.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NettyFollowerReadTest
{
    private static final long REQUEST_TIMEOUT_MS = 20_000;

    @TempDir
    Path dir;

    /** Echoes queries, so the read's answer is checked. */
    private static final class EchoStateMachine extends BaseStateMachine
    {
        @Override
        public CompletableFuture<Message> query(final Message request)
        {
            return CompletableFuture.completedFuture(request);
        }
    }

    @Test
    void aLinearizableReadSentToAFollowerIsAnsweredByTheLeaderWithoutATimeout() throws Exception
    {
        final List<RaftPeer> peers = new ArrayList<>();
        for (int i = 1; i <= 3; i++)
        {
            peers.add(RaftPeer.newBuilder().setId("r" + i).setAddress("127.0.0.1:" + LoopbackPorts.reserve()).build());
        }
        final RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
        final List<RaftServer> servers = new ArrayList<>();
        try
        {
            for (final RaftPeer peer : peers)
            {
                final RaftProperties properties = RaftSettings.client("netty", REQUEST_TIMEOUT_MS);
                NettyConfigKeys.Server.setPort(properties,
                    Integer.parseInt(peer.getAddress().substring(peer.getAddress().lastIndexOf(':') + 1)));
                RaftServerConfigKeys.setStorageDir(properties, List.of(dir.resolve(peer.getId().toString()).toFile()));
                RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(1, TimeUnit.SECONDS));
                RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2, TimeUnit.SECONDS));
                // As a node's servers read (RaftSettings): a follower asks the leader for a ReadIndex.
                RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
                final RaftServer server = RaftServer.newBuilder().setServerId(peer.getId()).setGroup(group)
                    .setStateMachine(new EchoStateMachine()).setProperties(properties)
                    .setOption(RaftStorage.StartupOption.FORMAT).build();
                servers.add(server);
                server.start();
            }
            final RaftPeerId leader;
            try (RaftClient client = RaftSettings.newClient(group, "netty", REQUEST_TIMEOUT_MS,
                RetryPolicies.retryUpToMaximumCountWithFixedSleep(100, TimeDuration.valueOf(200,
                    TimeUnit.MILLISECONDS))))
            {
                assertThat(client.io().send(Message.valueOf("elect")).isSuccess()).isTrue();
                leader = client.getLeaderId();
            }
            final RaftPeerId follower = peers.stream().map(RaftPeer::getId).filter(id -> !id.equals(leader))
                .findFirst().orElseThrow();
            try (RaftClient client = RaftClient.newBuilder().setRaftGroup(group).setLeaderId(follower)
                .setProperties(RaftSettings.client("netty", REQUEST_TIMEOUT_MS))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3, TimeDuration.valueOf(100,
                    TimeUnit.MILLISECONDS))).build())
            {
                final long startNs = System.nanoTime();
                final RaftClientReply reply = client.io().sendReadOnly(Message.valueOf("read"));
                final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                assertThat(reply.isSuccess()).isTrue();
                assertThat(reply.getMessage().getContent().toStringUtf8()).isEqualTo("read");
                assertThat(client.getLeaderId()).as("the client learned the leader").isEqualTo(leader);
                assertThat(elapsedMs).as("ms the read at follower %s took (the request timeout is %d ms)", follower,
                    REQUEST_TIMEOUT_MS).isLessThan(REQUEST_TIMEOUT_MS / 2);
            }
        }
        finally
        {
            for (final RaftServer server : servers)
            {
                server.close();
            }
        }
    }
}
