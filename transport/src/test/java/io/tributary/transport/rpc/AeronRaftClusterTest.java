package io.tributary.transport.rpc;

import io.tributary.protocol.frame.Seeds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.GroupListReply;
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
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.protocol.net.LoopbackPorts;

/**
 * Three Ratis servers and a client in one JVM, every message over Aeron UDP on 127.0.0.1:
 * election, blocking and async writes (echoed by Ratis's BaseStateMachine), a write larger than
 * Aeron's max message (fragmented client request and appendEntries), and admin requests.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AeronRaftClusterTest
{
    @TempDir
    Path dir;

    private RaftProperties properties()
    {
        final RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, new AeronRpcType());
        properties.set("transport.aeron.dir.base", dir.toString());
        properties.set("transport.aeron.term.length.bytes", Integer.toString(64 * 1024));
        properties.set("transport.aeron.offer.timeout.ms", "500");
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(1, TimeUnit.SECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        return properties;
    }

    private static int freeUdpPort() throws Exception
    {
        return LoopbackPorts.reserve();
    }

    @Test
    void threeServersElectReplicateAndAnswerClientsOverAeron() throws Exception
    {
        final Random random = new Random(Seeds.seed("threeServersElectReplicateAndAnswerClientsOverAeron"));
        final List<RaftPeer> peers = new ArrayList<>();
        for (int i = 1; i <= 3; i++)
        {
            peers.add(RaftPeer.newBuilder().setId("n" + i).setAddress("127.0.0.1:" + freeUdpPort()).build());
        }
        final RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
        final List<RaftServer> servers = new ArrayList<>();
        try
        {
            for (final RaftPeer peer : peers)
            {
                final RaftProperties properties = properties();
                RaftServerConfigKeys.setStorageDir(properties,
                    List.of(dir.resolve("storage-" + peer.getId()).toFile()));
                final RaftServer server = RaftServer.newBuilder().setServerId(peer.getId()).setGroup(group)
                    .setStateMachine(new BaseStateMachine()).setProperties(properties)
                    .setOption(RaftStorage.StartupOption.FORMAT).build();
                servers.add(server);
                server.start();
            }
            try (RaftClient client = RaftClient.newBuilder().setRaftGroup(group).setProperties(properties())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(100,
                    TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build())
            {
                for (int i = 0; i < 10; i++)
                {
                    final RaftClientReply reply = client.io().send(Message.valueOf("blocking-" + i));
                    assertThat(reply.isSuccess()).isTrue();
                    assertThat(reply.getMessage().getContent().toStringUtf8()).isEqualTo("blocking-" + i);
                }
                final List<CompletableFuture<RaftClientReply>> futures = new ArrayList<>();
                for (int i = 0; i < 100; i++)
                {
                    futures.add(client.async().send(Message.valueOf("async-" + i)));
                }
                for (int i = 0; i < futures.size(); i++)
                {
                    final RaftClientReply reply = futures.get(i).get(60, TimeUnit.SECONDS);
                    assertThat(reply.isSuccess()).isTrue();
                    assertThat(reply.getMessage().getContent().toStringUtf8()).isEqualTo("async-" + i);
                }
                final byte[] large = new byte[300_000];
                random.nextBytes(large);
                final RaftClientReply largeReply = client.io().send(Message.valueOf(
                    ByteString.copyFrom(large)));
                assertThat(largeReply.isSuccess()).isTrue();
                assertThat(largeReply.getMessage().getContent().toByteArray()).isEqualTo(large);

                final RaftPeerId n2 = RaftPeerId.valueOf("n2");
                final GroupListReply list = client.getGroupManagementApi(n2).list();
                assertThat(list.getGroupIds()).contains(group.getGroupId());
                final GroupInfoReply info = client.getGroupManagementApi(n2).info(group.getGroupId());
                assertThat(info.isSuccess()).isTrue();
                assertThat(info.getGroup().getPeers()).hasSize(3);
                assertThat(new String(info.getRoleInfoProto().getSelf().getId().toByteArray(), StandardCharsets.UTF_8))
                    .isEqualTo("n2");
            }
        }
        finally
        {
            for (final RaftServer server : servers)
            {
                server.close();
            }
        }
        for (final RaftPeer peer : peers)
        {
            assertThat(dir.resolve("tributary-aeron-server-" + peer.getId())).as("driver directory of %s", peer.getId())
                .doesNotExist();
        }
    }

    private RaftServer startServer(final RaftPeer peer, final RaftGroup group, final RaftStorage.StartupOption option)
        throws Exception
    {
        final RaftProperties properties = properties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(dir.resolve("storage-" + peer.getId()).toFile()));
        final RaftServer server = RaftServer.newBuilder().setServerId(peer.getId()).setGroup(group)
            .setStateMachine(new BaseStateMachine()).setProperties(properties).setOption(option).build();
        server.start();
        return server;
    }

    private static long appliedIndex(final RaftServer server, final RaftGroup group)
    {
        try
        {
            return server.getDivision(group.getGroupId()).getInfo().getLastAppliedIndex();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    @Test
    void followerRestartReconnectsAndCatchesUp() throws Exception
    {
        final List<RaftPeer> peers = new ArrayList<>();
        for (int i = 1; i <= 3; i++)
        {
            peers.add(RaftPeer.newBuilder().setId("r" + i).setAddress("127.0.0.1:" + freeUdpPort()).build());
        }
        final RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
        final List<RaftServer> servers = new ArrayList<>();
        try
        {
            for (final RaftPeer peer : peers)
            {
                servers.add(startServer(peer, group, RaftStorage.StartupOption.FORMAT));
            }
            try (RaftClient client = RaftClient.newBuilder().setRaftGroup(group).setProperties(properties())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(100,
                    TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build())
            {
                assertThat(client.io().send(Message.valueOf("before")).isSuccess()).isTrue();
                final RaftPeerId leader = client.getLeaderId();
                final int victim = leader.toString().equals("r3") ? 1 : 2;
                servers.get(victim).close();
                for (int i = 0; i < 20; i++)
                {
                    assertThat(client.io().send(Message.valueOf("while-down-" + i)).isSuccess()).isTrue();
                }
                final RaftServer leaderServer = servers.get(Integer.parseInt(leader.toString().substring(1)) - 1);
                final long leaderApplied = appliedIndex(leaderServer, group);
                // Same address, same storage: the leader's publication to it must reconnect by itself.
                final RaftServer restarted = startServer(peers.get(victim), group, RaftStorage.StartupOption.RECOVER);
                servers.set(victim, restarted);
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (appliedIndex(restarted, group) < leaderApplied)
                {
                    assertThat(System.nanoTime() - deadlineNs).as("restarted follower %s caught up to %d (at %d)",
                        peers.get(victim).getId(), leaderApplied, appliedIndex(restarted, group)).isNegative();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                assertThat(client.io().send(Message.valueOf("after")).isSuccess()).isTrue();
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
