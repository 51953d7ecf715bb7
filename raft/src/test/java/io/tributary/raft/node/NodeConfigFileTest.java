package io.tributary.raft.node;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The one writer of node configuration files (local clusters and the Jepsen harness): what a node reads back. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NodeConfigFileTest
{
    @TempDir
    Path dir;

    @Test
    void aNodeReadsBackItsIdentityQuorumAndTheLocalElectionTimeouts() throws Exception
    {
        final Path file = NodeConfigFile.write(dir.resolve("n2.properties"), "n2", "10.0.0.2", 7002, dir.resolve("n2"),
            "n1@10.0.0.1:7001,n2@10.0.0.2:7002,n3@10.0.0.3:7003", Map.of());

        final NodeConfig config = NodeConfig.load(file);
        assertThat(config.nodeId).isEqualTo("n2");
        assertThat(config.host).isEqualTo("10.0.0.2");
        assertThat(config.port).isEqualTo(7002);
        assertThat(config.dataDir).isEqualTo(dir.resolve("n2"));
        assertThat(config.metadataPeers).containsEntry("n1", "10.0.0.1:7001").containsEntry("n2", "10.0.0.2:7002")
            .hasSize(3);
        assertThat(config.electionTimeoutMinMs).isEqualTo(1000);
        assertThat(config.electionTimeoutMaxMs).isEqualTo(2000);
    }

    @Test
    void settingsComeInTheirOrderAndOverrideTheDefaults() throws Exception
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("raft.election.timeout.min.ms", "3000");
        settings.put("raft.election.timeout.max.ms", "6000");
        settings.put("durability", "nofsync");
        final NodeConfig config = NodeConfig.load(NodeConfigFile.write(dir.resolve("n1.properties"), "n1", "127.0.0.1",
            7001, dir.resolve("n1"), "n1@127.0.0.1:7001", settings));

        assertThat(config.electionTimeoutMinMs).isEqualTo(3000);
        assertThat(config.electionTimeoutMaxMs).isEqualTo(6000);
        assertThat(config.durability).isEqualTo(NodeConfig.Durability.NOFSYNC);
    }
}
