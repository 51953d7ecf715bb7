package io.tributary.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.tributary.protocol.tls.DevCertificates;
import io.tributary.protocol.tls.TlsSettings;
import io.tributary.raft.node.NodeConfig;
import io.tributary.raft.node.RaftSettings;

import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest
{
    @TempDir
    Path dir;

    private static Properties valid()
    {
        final Properties p = new Properties();
        p.setProperty("node.id", "n1");
        p.setProperty("node.port", "9871");
        p.setProperty("data.dir", "/tmp/n1");
        p.setProperty("metadata.peers", "n1@127.0.0.1:9871,n2@127.0.0.1:9872,n3@127.0.0.1:9873");
        return p;
    }

    /** Issue #17: TLS runs on every transport Tributary names; a Ratis RpcType named by class cannot get it. */
    @Test
    void tlsIsTakenOnEveryNamedTransportAndRefusedOnAClassName() throws Exception
    {
        final Path certs = dir.resolve("certs");
        DevCertificates.createAuthority(certs, "test CA", Duration.ofDays(1))
            .issueNode(certs, "n1", List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        final Properties p = valid();
        p.setProperty(TlsSettings.ENABLED, "true");
        p.setProperty(TlsSettings.CA_FILE, certs.resolve("ca.pem").toString());
        p.setProperty(TlsSettings.CERT_FILE, certs.resolve("node-n1.pem").toString());
        p.setProperty(TlsSettings.KEY_FILE, certs.resolve("node-n1.key").toString());
        for (final String transport : RaftSettings.TRANSPORTS)
        {
            p.setProperty("transport", transport);
            final RaftProperties ratis = RaftSettings.server(NodeConfig.of(p));
            assertThat(ratis.get(TlsSettings.ENABLED)).as("TLS reaches %s's factory", transport).isEqualTo("true");
        }
        p.setProperty("transport", "org.apache.ratis.grpc.GrpcFactory");
        assertThatThrownBy(() -> NodeConfig.of(p)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("cannot put TLS on a Ratis RpcType named by class");

        // A secure node runs its media driver as a plain one does (the transport's default), unless told otherwise.
        p.setProperty("transport", "aeron");
        assertThat(NodeConfig.of(p).aeronSettings).doesNotContainKey(NodeConfig.DRIVER_THREADING_MODE);
        p.setProperty(NodeConfig.DRIVER_THREADING_MODE, "SHARED");
        assertThat(NodeConfig.of(p).aeronSettings).containsEntry(NodeConfig.DRIVER_THREADING_MODE, "SHARED");
        assertThat(RaftSettings.server(NodeConfig.of(p)).get(NodeConfig.DRIVER_THREADING_MODE)).isEqualTo("SHARED");
        assertThat(NodeConfig.of(valid()).aeronSettings).doesNotContainKey(NodeConfig.DRIVER_THREADING_MODE);
    }

    @Test
    void validConfigurationHasSafeDefaults()
    {
        final NodeConfig config = NodeConfig.of(valid());
        assertThat(config.durability).isEqualTo(NodeConfig.Durability.FSYNC);
        assertThat(config.transport).isEqualTo("aeron");
        assertThat(config.isMetadataMember()).isTrue();
        assertThat(config.electionTimeoutMinMs).isEqualTo(1000);
        assertThat(config.raftLogMetadata).isFalse();
        assertThat(config.raftReadLease).isTrue();
        assertThat(config.leaderRebalanceIntervalMs).isEqualTo(5_000);
    }

    @Test
    void leaderRebalanceIsOffAtZeroAndNeverFasterThanAnElection()
    {
        final Properties p = valid();
        p.setProperty("leader.rebalance.interval.ms", "0");
        assertThat(NodeConfig.of(p).leaderRebalanceIntervalMs).isZero();
        p.setProperty("raft.election.timeout.max.ms", "10000");
        p.remove("leader.rebalance.interval.ms");
        assertThat(NodeConfig.of(p).leaderRebalanceIntervalMs).as("the default follows a longer election timeout")
            .isEqualTo(10_000);
        p.remove("raft.election.timeout.max.ms");
        p.setProperty("leader.rebalance.interval.ms", "500");
        assertThatThrownBy(() -> NodeConfig.of(p)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("leader.rebalance.interval.ms (500) should be 0 (off) or at least "
                + "raft.election.timeout.max.ms (2000)");
    }

    @Test
    void aeronSettingsReachRatisAndBadOnesAreRefusedAtLoad()
    {
        final Properties p = valid();
        p.setProperty("transport.aeron.term.length.bytes", "131072");
        p.setProperty("transport.aeron.idle.shared", "sleeping");
        final NodeConfig config = NodeConfig.of(p);
        final RaftProperties ratis = RaftSettings.server(config);
        assertThat(ratis.get("transport.aeron.term.length.bytes")).isEqualTo("131072");
        assertThat(ratis.get("transport.aeron.idle.shared")).isEqualTo("sleeping");
        assertThat(ratis.get("transport.aeron.server.address")).isEqualTo("127.0.0.1:9871");
        assertThat(ratis.get("transport.aeron.node.name")).isEqualTo("n1-9871");
        assertThat(ratis.get("raft.rpc.type")).isEqualTo("io.tributary.transport.rpc.AeronRpcType");

        p.setProperty("transport.aeron.term.length.bytes", "1000");
        p.setProperty("transport.aeron.mtu.bytes", "many");
        assertThatThrownBy(() -> NodeConfig.of(p)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("transport.aeron.mtu.bytes=many is not a whole number");
        p.setProperty("transport.aeron.mtu.bytes", "1408");
        assertThatThrownBy(() -> NodeConfig.of(p)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("transport.aeron.term.length.bytes=1000");
        p.setProperty("transport", "carrier-pigeon");
        assertThatThrownBy(() -> NodeConfig.of(p)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("transport is 'carrier-pigeon'; use aeron, grpc, netty");
    }

    @Test
    void shardLogsAreWrittenBackEveryHalfSecondByDefaultAndZeroLeavesItToTheKernel()
    {
        final Properties p = valid();
        assertThat(NodeConfig.of(p).shardWritebackIntervalMs).isEqualTo(500);
        p.setProperty("shard.writeback.interval.ms", "0");
        assertThat(NodeConfig.of(p).shardWritebackIntervalMs).isZero();
        p.setProperty("shard.writeback.interval.ms", "-5");
        assertThatThrownBy(() -> NodeConfig.of(p)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("shard.writeback.interval.ms");
    }

    @Test
    void everyProblemIsListedWithWhatToChange()
    {
        final Properties p = valid();
        p.setProperty("node.port", "99999");
        p.setProperty("raft.election.timeout.min.ms", "3000");
        p.setProperty("durability", "sometimes");
        p.setProperty("metadata.peers", "n1@127.0.0.1:9871,n2@127.0.0.1:9872");
        p.setProperty("tracing.exporter", "jaeger");
        p.setProperty("colour", "blue");
        p.setProperty("raft.read.lease", "yes");
        assertThatThrownBy(() -> NodeConfig.of(p)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("node.port is 99999; it must be in [1, 65535]")
            .hasMessageContaining("raft.election.timeout.max.ms (2000) must be greater than "
                + "raft.election.timeout.min.ms (3000)")
            .hasMessageContaining("durability is 'sometimes'; use fsync")
            .hasMessageContaining("use an odd number")
            .hasMessageContaining("tracing.exporter is 'jaeger'")
            .hasMessageContaining("unknown key 'colour'")
            .hasMessageContaining("raft.read.lease is 'yes'; it must be true or false");
    }

    @Test
    void missingFileAndMissingKeysAreClearErrors() throws Exception
    {
        assertThatThrownBy(() -> NodeConfig.load(dir.resolve("missing.properties")))
            .hasMessageContaining("cannot read node configuration").hasMessageContaining("missing.properties");
        final Path file = dir.resolve("node.properties");
        Files.writeString(file, "node.port=abc\n");
        assertThatThrownBy(() -> NodeConfig.load(file)).hasMessageContaining("node.id is required")
            .hasMessageContaining("data.dir is required")
                .hasMessageContaining("node.port is 'abc'; it must be a whole number")
            .hasMessageContaining(file.toString());
    }

    @Test
    @Timeout(10)
    void faultSwitchesAreOffByDefaultAndTheReadFaultDropsReadIndexAndLease()
    {
        final NodeConfig safe = NodeConfig.of(valid());
        assertThat(safe.faultsOn()).isEmpty();
        final RaftProperties safeRatis = RaftSettings.server(safe);
        assertThat(RaftServerConfigKeys.Read.option(safeRatis))
            .isEqualTo(RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        assertThat(RaftServerConfigKeys.Rpc.timeoutMax(safeRatis).toLong(TimeUnit.MILLISECONDS))
            .isEqualTo(2000);
        // A replica that starts and hears from no leader campaigns after 125-250 ms, not 1-2 s (pre-vote stays on).
        assertThat(RaftServerConfigKeys.Rpc.firstElectionTimeoutMin(safeRatis)
            .toLong(TimeUnit.MILLISECONDS)).isEqualTo(125);
        assertThat(RaftServerConfigKeys.Rpc.firstElectionTimeoutMax(safeRatis)
            .toLong(TimeUnit.MILLISECONDS)).isEqualTo(250);
        assertThat(RaftServerConfigKeys.LeaderElection.preVote(safeRatis)).isTrue();

        final Properties p = valid();
        p.setProperty("test.fault.reads-without-readindex", "true");
        p.setProperty("test.fault.replay-off-by-one", "true");
        final NodeConfig faulty = NodeConfig.of(p);
        assertThat(faulty.faultsOn()).containsExactly("test.fault.reads-without-readindex=true",
            "test.fault.replay-off-by-one=true");
        final RaftProperties ratis = RaftSettings.server(faulty);
        assertThat(RaftServerConfigKeys.Read.option(ratis))
            .isEqualTo(RaftServerConfigKeys.Read.Option.DEFAULT);
        assertThat(RaftServerConfigKeys.Read.leaderLeaseEnabled(ratis)).isFalse();
        assertThat(RaftServerConfigKeys.Rpc.timeoutMax(ratis).toLong(TimeUnit.MILLISECONDS))
            .as("a deposed leader keeps its role 4 x the minimum election timeout").isEqualTo(4000);

        p.setProperty("test.fault.replay-off-by-one", "yes");
        p.setProperty("raft.request.timeout.ms", "3000");
        assertThatThrownBy(() -> NodeConfig.of(p)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("test.fault.replay-off-by-one is 'yes'; it must be true or false")
            .hasMessageContaining("raft.request.timeout.ms (3000) should be at least raft.election.timeout.max.ms "
                + "(4000, as stretched" + " by test.fault.reads-without-readindex)");
    }
}
