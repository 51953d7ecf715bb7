package io.tributary.transport.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
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
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.protocol.aeron.AeronRuntimes;
import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.net.LoopbackPorts;
import io.tributary.protocol.tls.DevCertificates;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.tls.TlsSettings;

/**
 * Three Ratis servers over Aeron with TLS 1.3 on every link (each its own node certificate): they elect and
 * replicate as without TLS, and nothing without a node certificate of the cluster's CA gets an effect: no
 * certificate, a certificate of another CA, and a client certificate are refused, for client requests, group
 * management and a forged appendEntries alike.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecureRaftTest
{
    @TempDir
    static Path dir;
    private static DevCertificates authority;
    private static final List<RaftServer> SERVERS = new ArrayList<>();
    private static RaftGroup group;

    @BeforeAll
    static void start() throws Exception
    {
        final Path certs = dir.resolve("certs");
        authority = DevCertificates.createAuthority(certs, "test CA", Duration.ofDays(1));
        final List<RaftPeer> peers = new ArrayList<>();
        for (int i = 1; i <= 3; i++)
        {
            authority.issueNode(certs, "n" + i, List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
            peers.add(RaftPeer.newBuilder().setId("n" + i).setAddress("127.0.0.1:" + LoopbackPorts.reserve()).build());
        }
        authority.issueNode(certs, "harness", List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        authority.issueClient(certs, "alice", Duration.ofDays(1));
        group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
        for (final RaftPeer peer : peers)
        {
            final RaftProperties properties = properties(tls("node-" + peer.getId()));
            RaftServerConfigKeys.setStorageDir(properties, List.of(dir.resolve("storage-" + peer.getId()).toFile()));
            final RaftServer server = RaftServer.newBuilder().setServerId(peer.getId()).setGroup(group)
                .setStateMachine(new BaseStateMachine()).setProperties(properties)
                .setOption(RaftStorage.StartupOption.FORMAT).build();
            SERVERS.add(server);
            server.start();
        }
    }

    @AfterAll
    static void stop() throws Exception
    {
        for (final RaftServer server : SERVERS)
        {
            server.close();
        }
    }

    private static TlsSettings tls(final String name)
    {
        final Path certs = dir.resolve("certs");
        return TlsSettings.of(certs.resolve("ca.pem"), certs.resolve(name + ".pem"), certs.resolve(name + ".key"));
    }

    private static RaftProperties properties(final TlsSettings tls)
    {
        final RaftProperties properties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(properties, new AeronRpcType());
        properties.set("transport.aeron.dir.base", dir.toString());
        properties.set("transport.aeron.term.length.bytes", Integer.toString(64 * 1024));
        properties.set("transport.aeron.offer.timeout.ms", "500");
        tls.toProperties(properties::set);
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(1, TimeUnit.SECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        return properties;
    }

    private static RaftClient client(final TlsSettings tls, final int attempts)
    {
        return RaftClient.newBuilder().setRaftGroup(group).setProperties(properties(tls))
            .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts,
                TimeDuration.valueOf(200, TimeUnit.MILLISECONDS))).build();
    }

    @Test
    void nodesWithCertificatesElectAndReplicateOverTls() throws Exception
    {
        try (RaftClient client = client(tls("node-harness"), 100))
        {
            for (int i = 0; i < 5; i++)
            {
                final RaftClientReply reply = client.io().send(Message.valueOf("sealed-" + i));
                assertThat(reply.isSuccess()).isTrue();
                assertThat(reply.getMessage().getContent().toStringUtf8()).isEqualTo("sealed-" + i);
            }
            final byte[] large = new byte[300_000];
            final RaftClientReply reply = client.io().send(Message.valueOf(ByteString.copyFrom(large)));
            assertThat(reply.isSuccess()).isTrue();
            assertThat(client.getGroupManagementApi(RaftPeerId.valueOf("n2")).list().getGroupIds())
                .contains(group.getGroupId());
        }
    }

    @Test
    void aClientCertificateMayNotRemoveAGroupOrWrite() throws Exception
    {
        try (RaftClient client = client(tls("alice"), 0))
        {
            assertThatThrownBy(() -> client.getGroupManagementApi(RaftPeerId.valueOf("n2"))
                .remove(group.getGroupId(), true, false))
                .hasStackTraceContaining("only node certificates");
            assertThatThrownBy(() -> client.io().send(Message.valueOf("not allowed")))
                .hasStackTraceContaining("only node certificates");
        }
        assertGroupIntact();
    }

    @Test
    void noCertificateAndAnotherCasCertificateGetNoEffect() throws Exception
    {
        try (RaftClient clear = client(TlsSettings.disabled(), 0))
        {
            assertThatThrownBy(() -> clear.getGroupManagementApi(RaftPeerId.valueOf("n3"))
                .remove(group.getGroupId(), true, false)).isNotNull();
        }
        final DevCertificates stranger = DevCertificates.createAuthority(dir.resolve("stranger"), "other CA",
            Duration.ofDays(1));
        final DevCertificates.Issued forgedNode = stranger.issueNode(dir.resolve("stranger"), "n1",
            List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        final TlsSettings strangerTls = TlsSettings.of(dir.resolve("certs").resolve("ca.pem"), forgedNode.certFile(),
            forgedNode.keyFile());
        try (RaftClient client = client(strangerTls, 0))
        {
            assertThatThrownBy(() -> client.getGroupManagementApi(RaftPeerId.valueOf("n3"))
                .remove(group.getGroupId(), true, false)).isNotNull();
        }
        assertGroupIntact();
    }

    @Test
    void aForgedAppendEntriesFromAClientCertificateIsRefused() throws Exception
    {
        final AeronTransportConfig config = AeronTransportConfig.fromProperties(properties(tls("alice"))::get)
            .nodeName("forger");
        final EmbeddedMediaDriver driver = AeronRuntimes.acquireForClient(config, true);
        try (RpcEndpoint forger = new RpcEndpoint("forger", config, driver, "127.0.0.1:0", (r, t, c, m, l, q) -> { },
            new TlsContext(tls("alice"))))
        {
            final UUID uuid = group.getGroupId().getUuid();
            final ByteString groupId = group.getGroupId().toByteString();
            final AppendEntriesRequestProto forged = AppendEntriesRequestProto.newBuilder()
                .setServerRequest(RaftRpcRequestProto.newBuilder()
                    .setRequestorId(ByteString.copyFromUtf8("n3")).setReplyId(ByteString.copyFromUtf8("n1"))
                    .setRaftGroupId(RaftGroupIdProto.newBuilder().setId(groupId)).setCallId(1))
                .setLeaderTerm(1_000_000).setLeaderCommit(0).build();
            final CompletableFuture<MessageLite> reply = forger.call(group.getPeer(RaftPeerId.valueOf("n1"))
                .getAddress(), MessageType.APPEND_ENTRIES_REQUEST, uuid.getMostSignificantBits(),
                uuid.getLeastSignificantBits(), forged, 5_000);
            assertThatThrownBy(() -> reply.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("only node certificates");
        }
        finally
        {
            AeronRuntimes.release(driver);
        }
        // No server took the forged term.
        for (final RaftServer server : SERVERS)
        {
            assertThat(server.getDivision(group.getGroupId()).getInfo().getCurrentTerm()).isLessThan(1_000_000);
        }
        assertGroupIntact();
    }

    private static void assertGroupIntact() throws Exception
    {
        try (RaftClient client = client(tls("node-harness"), 100))
        {
            for (final RaftPeer peer : group.getPeers())
            {
                assertThat(client.getGroupManagementApi(peer.getId()).list().getGroupIds())
                    .as("groups of %s", peer.getId()).contains(group.getGroupId());
            }
            assertThat(client.io().send(Message.valueOf("still writable")).isSuccess()).isTrue();
        }
    }
}
