package io.tributary.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.OpenTelemetry;
import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.protocol.net.LoopbackPorts;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.node.LocalCluster;
import io.tributary.raft.node.NodeConfig;
import io.tributary.raft.node.TributaryNode;
import io.tributary.raft.shard.ShardStateMachine;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Raft division that Ratis closes on its own while the node runs (as it does to a candidate a
 * leader says is no longer in the group, to a leader outside a new configuration, or after a
 * failed apply) used to stay registered and dead, refusing every append until the process
 * restarted: a stranded replica (Jepsen run 33). The node restarts it from its own storage.
 * <p>
 * One node, replication factor 1, in this JVM (so the test can close the division the way Ratis
 * does): with no peer to copy from, every record found after the restart proves the division came
 * back from its own files, and the queue file's identity proves they were kept, not rebuilt.
 */
class DivisionRestartTest
{
    private static final int RECORDS_PER_BATCH = 10;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aDivisionClosedUnderARunningNodeIsRestartedFromItsStorageAndKeepsEveryRecord() throws Exception
    {
        final int port = LoopbackPorts.reserve();
        final Properties properties = new Properties();
        properties.setProperty("node.id", "solo");
        properties.setProperty("node.port", Integer.toString(port));
        properties.setProperty("data.dir", dir.toString());
        properties.setProperty("metadata.peers", "solo@127.0.0.1:" + port);
        final NodeConfig config = NodeConfig.of(properties);
        try (TributaryNode node = TributaryNode.start(config, OpenTelemetry.noop());
            MetadataClient metadata = new MetadataClient(config.metadataPeers, config.transport, 10_000);
            FrontEndProbe probe = new FrontEndProbe())
        {
            LocalCluster.await("registered", 30_000, () -> metadata.nodeStates().containsValue("ACTIVE"));
            metadata.command("CREATE_STREAM", "restarted", "1", "1", "-1", "-1");
            LocalCluster.await("placement", 30_000, () -> metadata.placed("restarted"));
            final UUID group = UUID.fromString(
                metadata.query("DESCRIBE", "restarted").split("\n")[1].split("\t")[1]);
            final RaftGroupId groupId = RaftGroupId.valueOf(group);
            for (int b = 0; b < 3; b++)
            {
                produce(probe, config.address(), group, b);
            }
            final ShardStateMachine before = node.shard(groupId);
            final long offsetsBefore = before.log().nextOffset();
            assertThat(offsetsBefore).isEqualTo(3 * RECORDS_PER_BATCH);
            final Path shardDir = config.dataDir.resolve("shards").resolve(group.toString());
            final Object queueFileBefore = firstQueueFileKey(shardDir);

            final RaftServer.Division closed = node.server().getDivision(groupId);
            closed.close(); // what Ratis itself calls in each of the cases above
            assertThat(closed.getInfo().isAlive()).isFalse();

            LocalCluster.await("the division restarted", 30_000, () -> restarted(node, groupId, closed));
            final ShardStateMachine after = node.shard(groupId);
            assertThat(after).as("a new state machine").isNotSameAs(before);
            assertThat(after.log().nextOffset()).as("records kept across the restart").isEqualTo(offsetsBefore);
            assertThat(firstQueueFileKey(shardDir)).as("the same queue file, reopened (not deleted and rebuilt)")
                .isEqualTo(queueFileBefore);

            produce(probe, config.address(), group, 3);
            assertThat(node.shard(groupId).log().nextOffset()).isEqualTo(offsetsBefore + RECORDS_PER_BATCH);
        }
    }

    private static boolean restarted(final TributaryNode node, final RaftGroupId groupId,
        final RaftServer.Division closed)
    {
        try
        {
            final RaftServer.Division current = node.server().getDivision(groupId);
            final ShardStateMachine shard = node.shard(groupId);
            return current != closed && current.getInfo().isAlive() && current.getInfo().isLeader() && shard != null
                && shard.log() != null;
        }
        catch (final IOException e)
        {
            return false; // between the removal and the add
        }
    }

    private static void produce(final FrontEndProbe probe, final String address, final UUID group,
        final int batchNumber)
        throws Exception
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer).reset();
        for (int r = 0; r < RECORDS_PER_BATCH; r++)
        {
            assertThat(builder.tryAppend(1L, ("k" + r).getBytes(), ("batch " + batchNumber + " record " + r)
                .getBytes())).isTrue();
        }
        final byte[] batch = Arrays.copyOf(buffer.byteArray(), builder.build());
        final List<FrontEndProbe.Result> results = probe.produceUntilStored(address,
            List.of(new FrontEndProbe.Item(group,
                FrontEndProbe.item(batch, 0, Long.MIN_VALUE, null, Long.MIN_VALUE, null))), 30_000);
        assertThat(results.get(0).status()).as(String.valueOf(results.get(0))).isEqualTo(AppendStatus.APPENDED);
    }

    private static Object firstQueueFileKey(final Path shardDir) throws IOException
    {
        try (var files = Files.walk(shardDir))
        {
            final Path queueFile = files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().findFirst()
                .orElseThrow(() -> new AssertionError("no queue file under " + shardDir));
            return Files.readAttributes(queueFile, BasicFileAttributes.class).fileKey();
        }
    }
}
