package io.tributary.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.tributary.format.AppendStatus;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.node.LocalCluster;
import io.tributary.raft.protocol.ShardProtocol;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A stream's retention (from the metadata) deletes whole rolled files on the replicas, never past the snapshot. */
class StreamRetentionTest
{
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.tributary.raft.Transports#all")
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aStreamsRetentionDeletesOldFilesOnItsShards(final String transport) throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(dir, 1, 1).keepLogsUnder("target/cluster-logs").config("transport", transport)
            .config("shard.roll.cycle", "TEST_SECONDLY").config("snapshot.auto.entries", "20");
            MetadataClient metadata = new MetadataClient(cluster.metadataPeers(), transport, 10_000))
        {
            cluster.startAll();
            LocalCluster.await("node active", 60_000, () -> ClusterSmokeTest.nodesActive(metadata) == 1);
            metadata.command("CREATE_STREAM", "short", "1", "1", "40000", "-1");
            LocalCluster.await("placement", 60_000, () -> ClusterSmokeTest.allPlaced(metadata, "short"));
            try (ShardTestClient shard = new ShardTestClient(metadata, "short", 0))
            {
                final String value = "v".repeat(2000);
                final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                int batches = 0;
                while (System.nanoTime() < endNs)
                {
                    assertThat(shard.append(ShardTestClient.batch(-1, -1, value)).status()).isEqualTo(AppendStatus.APPENDED);
                    batches++;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(40)); // spread the appends over several one-second files
                }
                final int written = batches;
                final String node = cluster.nodeIds().get(0);
                LocalCluster.await("old files deleted", 60_000, () -> firstOffset(shard, node) > 0);
                final ShardProtocol.ShardStatus status = shard.status(node);
                assertThat(status.nextOffset()).isEqualTo(written);
                assertThat(status.retainedBytes()).as("retained after deleting whole files").isLessThan(written * 2100L);
                assertThat(shard.checksum(node)[1]).as("what is retained still reads back")
                    .isEqualTo(status.nextOffset() - status.firstOffset());
            }
        }
    }

    private static long firstOffset(final ShardTestClient shard, final String node)
    {
        try
        {
            return shard.status(node).firstOffset();
        }
        catch (final Exception e)
        {
            return -1;
        }
    }
}
