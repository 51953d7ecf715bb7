package io.tributary.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.tributary.raft.node.LocalCluster;
import io.tributary.raft.node.RunningCluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adding and removing a node through {@link Admin}, on a cluster of its own (a busy one would
 * spend most of the test moving other streams' replicas): the added node gets replicas, the
 * stream keeps working, and the removed node is drained back to REGISTERED.
 */
class NodeMembershipClientTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aNodeIsAddedGetsReplicasAndIsDrainedWhenRemoved() throws Exception
    {
        try (RunningCluster running = RunningCluster.builder(dir).start();
            Admin admin = Admin.create(new AdminConfig().metadataPeers(running.processes().metadataPeers())
                .requestTimeoutMs(5_000)))
        {
            final LocalCluster cluster = running.processes();
            admin.createStream("moving", 2, 3);
            admin.awaitStreamReady("moving", Duration.ofSeconds(60));
            final String added = cluster.addNodeSlot();
            cluster.start(added);
            LocalCluster.await(added + " registers", 60_000, () -> stateOf(admin, added).equals("REGISTERED"));
            admin.addNode(added);
            LocalCluster.await(added + " holds a replica", 90_000, () -> holdsReplica(admin, "moving", added));
            admin.awaitStreamReady("moving", Duration.ofSeconds(60));
            try (Producer producer = Producer.create(new ProducerConfig().metadataPeers(cluster.metadataPeers())
                .requestTimeoutMs(5_000)))
            {
                assertThat(producer.send("moving", "k".getBytes(UTF_8), "v".getBytes(UTF_8)).get(30, TimeUnit.SECONDS)
                    .offset()).isZero();
            }
            admin.removeNode(added);
            LocalCluster.await(added + " is drained", 90_000, () -> !holdsReplica(admin, "moving", added)
                && stateOf(admin, added).equals("REGISTERED"));
            assertThat(admin.streamStatus("moving")).allSatisfy(shard -> assertThat(shard.replicas()).hasSize(3)
                .allSatisfy(replica -> assertThat(replica.error()).isNull()));
            assertThatThrownBy(() -> admin.addNode("n99")).isInstanceOf(TributaryException.class)
                .hasMessageContaining("unknown node 'n99'");
        }
    }

    private static String stateOf(final Admin admin, final String node) throws Exception
    {
        return admin.nodes().stream().filter(n -> n.id().equals(node)).map(Admin.NodeInfo::state).findFirst()
            .orElse("");
    }

    private static boolean holdsReplica(final Admin admin, final String stream, final String node) throws Exception
    {
        return admin.describeStream(stream).placement().stream()
            .anyMatch(shard -> shard.replicas().containsKey(node));
    }
}
