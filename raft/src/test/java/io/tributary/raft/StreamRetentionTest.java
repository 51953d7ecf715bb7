package io.tributary.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.tributary.engine.AppendCondition;
import io.tributary.format.AppendStatus;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.node.LocalCluster;
import io.tributary.raft.node.RunningCluster;
import io.tributary.raft.protocol.ShardProtocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream's retention (from the metadata) deletes whole rolled files on the replicas, never past
 * the snapshot; the leader then moves the shard's key horizon, and every replica forgets the same
 * keys (issue #14, point 4). Run once per transport by its subclasses.
 */
abstract class StreamRetentionTest
{
    @TempDir
    Path dir;

    /** The Raft transport of the nodes and of every client here. */
    abstract String transport();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aStreamsRetentionDeletesOldFilesOnItsShardsAndEveryReplicaForgetsTheSameKeys()
        throws Exception
    {
        try (RunningCluster running = RunningCluster.builder(dir).transport(transport())
            .config("shard.roll.cycle", "TEST_SECONDLY").config("snapshot.auto.entries", "20").start())
        {
            final LocalCluster cluster = running.processes();
            final MetadataClient metadata = running.metadata();
            running.createStream("short", 1, 3, 40000, -1);
            try (ShardTestClient shard = new ShardTestClient(metadata, "short", 0))
            {
                final String value = "v".repeat(2000);
                final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                int batches = 0;
                while (System.nanoTime() < endNs)
                {
                    // One key per record: k0 at offset 0, k1 at offset 1, ...
                    final ShardTestClient.AppendReply reply =
                        shard.append(ShardTestClient.conditionalBatch("k" + batches,
                        AppendCondition.UNCHECKED, value));
                    assertThat(reply.status()).isEqualTo(AppendStatus.APPENDED);
                    assertThat(reply.baseOffset()).isEqualTo(batches);
                    batches++;
                    // spread the appends over several one-second files
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(40));
                }
                final int written = batches;
                for (final String node : cluster.nodeIds())
                {
                    // A follower's status is its own: it may not have applied the last entries yet.
                    LocalCluster.await("old files deleted on " + node + " and every write applied", 60_000, () ->
                    {
                        final ShardProtocol.ShardStatus status = statusOrNull(shard, node);
                        return status != null && status.firstOffset() > 0 && status.nextOffset() == written;
                    });
                    final ShardProtocol.ShardStatus status = shard.status(node);
                    assertThat(status.retainedBytes()).as("retained after deleting whole files")
                        .isLessThan(written * 2100L);
                    assertThat(shard.checksum(node)[1]).as("what is retained still reads back")
                        .isEqualTo(status.nextOffset() - status.firstOffset());
                }

                // Every replica applies the leader's horizon at the same entry: the same keys remain everywhere.
                final String[] agreed = new String[1];
                LocalCluster.await("one key horizon above 0 on every replica", 60_000, () ->
                {
                    final Set<String> views = new HashSet<>();
                    for (final String node : cluster.nodeIds())
                    {
                        final ShardProtocol.ShardStatus status = statusOrNull(shard, node);
                        views.add(status == null || status.keyHorizon() <= 0 ? "none on " + node
                            : status.keyHorizon() + "/" + status.keyCount());
                    }
                    agreed[0] = views.toString();
                    return views.size() == 1 && !views.iterator().next().startsWith("none");
                });
                final ShardProtocol.ShardStatus status = shard.status(cluster.nodeIds().get(0));
                assertThat(status.keyCount()).as("keys at or above the horizon %s", agreed[0])
                    .isEqualTo(written - status.keyHorizon());

                // k0's only record is below the horizon: for a condition, k0 has no record.
                assertThat(shard.append(ShardTestClient.conditionalBatch("k0", 0, value)).status())
                    .isEqualTo(AppendStatus.KEY_CONDITION_FAILED);
                assertThat(shard.append(ShardTestClient.conditionalBatch("k0", -1, value)).status())
                    .isEqualTo(AppendStatus.APPENDED);
                final String last = "k" + (written - 1);
                assertThat(shard.append(ShardTestClient.conditionalBatch(last, written - 1, value)).status())
                    .as("a key above the horizon keeps its offset").isEqualTo(AppendStatus.APPENDED);
            }
        }
    }

    private static ShardProtocol.ShardStatus statusOrNull(final ShardTestClient shard, final String node)
    {
        try
        {
            return shard.status(node);
        }
        catch (final Exception e)
        {
            return null;
        }
    }
}
