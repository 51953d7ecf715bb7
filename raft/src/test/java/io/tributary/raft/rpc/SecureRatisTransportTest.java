package io.tributary.raft.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
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
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.protocol.net.LoopbackPorts;
import io.tributary.protocol.tls.DevCertificates;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.tls.TlsSettings;
import io.tributary.raft.node.LocalCluster;
import io.tributary.raft.node.RaftSettings;

/**
 * Three Ratis servers over one of Ratis's own transports (gRPC, Netty) with TLS 1.3 between them (issue #17,
 * point 1), each with its own node certificate: they elect and replicate as without TLS; a client certificate of
 * the same CA gets no Raft connection at all (point 2: only nodes speak Raft, refused in the handshake), and
 * neither does a peer without TLS or with a certificate of another CA; a renewed node certificate is used by the
 * next connection without a restart. Run once per transport by its subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
abstract class SecureRatisTransportTest
{
    private static final AtomicLong STAMPS = new AtomicLong();
    private Path dir;
    private DevCertificates authority;
    private final List<RaftServer> servers = new ArrayList<>();
    private RaftGroup group;

    /** {@code grpc} or {@code netty}. */
    abstract String transport();

    @BeforeAll
    void start(@TempDir final Path dir) throws Exception
    {
        this.dir = dir;
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
            final RaftProperties properties = RaftSettings.client(transport(), tls("node-" + peer.getId()), 3_000);
            final int port = Integer.parseInt(peer.getAddress().substring(peer.getAddress().lastIndexOf(':') + 1));
            GrpcConfigKeys.Server.setPort(properties, port);
            NettyConfigKeys.Server.setPort(properties, port);
            RaftServerConfigKeys.setStorageDir(properties, List.of(dir.resolve("storage-" + peer.getId()).toFile()));
            RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(1, TimeUnit.SECONDS));
            RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2, TimeUnit.SECONDS));
            final RaftServer server = RaftServer.newBuilder().setServerId(peer.getId()).setGroup(group)
                .setStateMachine(new BaseStateMachine()).setProperties(properties)
                .setOption(RaftStorage.StartupOption.FORMAT).build();
            servers.add(server);
            server.start();
        }
    }

    @AfterAll
    void stop() throws Exception
    {
        for (final RaftServer server : servers)
        {
            server.close();
        }
    }

    private TlsSettings tls(final String name)
    {
        final Path certs = dir.resolve("certs");
        return TlsSettings.of(certs.resolve("ca.pem"), certs.resolve(name + ".pem"), certs.resolve(name + ".key"));
    }

    private RaftClient client(final TlsSettings tls, final int attempts)
    {
        return RaftSettings.newClient(group, transport(), tls, 3_000,
            RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts, TimeDuration.valueOf(200,
                TimeUnit.MILLISECONDS)));
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
    void aClientCertificateGetsNoRaftConnection() throws Exception
    {
        try (RaftClient client = client(tls("alice"), 0))
        {
            assertThatThrownBy(() -> client.getGroupManagementApi(RaftPeerId.valueOf("n2"))
                .remove(group.getGroupId(), true, false)).isNotNull();
            assertThatThrownBy(() -> client.io().send(Message.valueOf("not allowed"))).isNotNull();
        }
        assertGroupIntact();
    }

    @Test
    void noTlsAndAnotherCasCertificateGetNoEffect() throws Exception
    {
        try (RaftClient clear = client(TlsSettings.disabled(), 0))
        {
            assertThatThrownBy(() -> clear.getGroupManagementApi(RaftPeerId.valueOf("n3"))
                .remove(group.getGroupId(), true, false)).isNotNull();
        }
        final Path strangerDir = dir.resolve("stranger");
        final DevCertificates stranger = DevCertificates.createAuthority(strangerDir, "other CA", Duration.ofDays(1));
        final DevCertificates.Issued forgedNode = stranger.issueNode(strangerDir, "n1",
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

    /**
     * A tool whose files are replaced by a client certificate while it runs: its next connection presents the new
     * files (refused), and with a node certificate back, the one after that works again; no restart.
     */
    @Test
    void aRenewedCertificateIsUsedByTheNextConnection() throws Exception
    {
        final Path certs = dir.resolve("certs");
        final Path renewing = dir.resolve("renewing");
        Files.createDirectories(renewing);
        copy(certs, "node-harness", renewing, "tool");
        final TlsSettings tool = TlsSettings.of(certs.resolve("ca.pem"), renewing.resolve("tool.pem"),
            renewing.resolve("tool.key")).reloadCheckMs(10);
        try (RaftClient client = client(tool, 100))
        {
            assertThat(client.io().send(Message.valueOf("before")).isSuccess()).isTrue();
        }
        copy(certs, "alice", renewing, "tool");
        awaitIdentity(tool, "client:alice");
        try (RaftClient client = client(tool, 0))
        {
            assertThatThrownBy(() -> client.io().send(Message.valueOf("as a client"))).isNotNull();
        }
        copy(certs, "node-n3", renewing, "tool");
        awaitIdentity(tool, "node:n3");
        try (RaftClient client = client(tool, 100))
        {
            assertThat(client.io().send(Message.valueOf("after")).isSuccess()).isTrue();
        }
    }

    private static void awaitIdentity(final TlsSettings tool, final String principal)
    {
        LocalCluster.await("the tool's files loaded again as " + principal, 10_000,
            () -> TlsContext.shared(tool).identity().toString().equals(principal));
    }

    private static void copy(final Path from, final String name, final Path to, final String as) throws Exception
    {
        // The key first, then the certificate, each by rename: a reader sees the old pair, or a pair that fails its
        // key check and is retried, never a half-written file.
        for (final String suffix : List.of(".key", ".pem"))
        {
            final Path staged = to.resolve(as + suffix + ".tmp");
            Files.copy(from.resolve(name + suffix), staged, StandardCopyOption.REPLACE_EXISTING);
            // A distinct mtime: the reload check compares size and mtime, and copies of one size within the same
            // millisecond would look unchanged.
            Files.setLastModifiedTime(staged, FileTime.fromMillis(System.currentTimeMillis()
                + STAMPS.incrementAndGet() * 1_000));
            Files.move(staged, to.resolve(as + suffix), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private void assertGroupIntact() throws Exception
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
