package io.tributary.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.node.LocalCluster;
import io.tributary.raft.node.RunningCluster;
import io.tributary.raft.protocol.ShardProtocol;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test-only fault switches change what a node does, observably (the Jepsen harness relies on
 * them to show its checkers catch real bugs). The partition scenario of
 * {@code test.fault.reads-without-readindex} is the harness's; here its settings are checked in
 * NodeConfigTest.
 */
class FaultSwitchTest
{
    @TempDir
    Path dir;

    /**
     * A follower stopped, written past, restarted: with the replay fault it skips the first batch
     * after its log's end, so its next offset trails the leader's by that batch; without, replicas
     * are identical.
     */
    @ParameterizedTest(name = "replay-off-by-one={0}")
    @ValueSource(booleans = {true, false})
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aRestartedReplicaMissesOneBatchOnlyUnderTheReplayFault(final boolean fault) throws Exception
    {
        try (RunningCluster running = RunningCluster.builder(dir)
            .config("test.fault.replay-off-by-one", Boolean.toString(fault))
            // No controller transfer mid-test: the leader found after the first writes stays the leader.
            .config("leader.rebalance.interval.ms", "0").start())
        {
            final LocalCluster cluster = running.processes();
            final MetadataClient metadata = running.metadata();
            running.createStream("replay", 1, 3);
            try (ShardTestClient shard = new ShardTestClient(metadata, "replay", 0))
            {
                write(shard, 0, 10);
                final String leader = shard.leader();
                final String follower = cluster.nodeIds().stream().filter(id -> !id.equals(leader)).findFirst()
                    .orElseThrow();
                LocalCluster.await("follower applied everything", 60_000, () -> sameApplied(shard, leader, follower));
                assertThat(cluster.stop(follower)).isZero();
                write(shard, 10, 10);
                cluster.start(follower);
                LocalCluster.await(follower + " applied everything after its restart", 60_000,
                    () -> sameApplied(shard, leader, follower));
                final ShardProtocol.ShardStatus onLeader = shard.status(leader);
                final ShardProtocol.ShardStatus onFollower = shard.status(follower);
                assertThat(onLeader.nextOffset()).as("3 records per batch, 20 batches").isEqualTo(60);
                if (fault)
                {
                    assertThat(onFollower.nextOffset()).as("%s missed one 3-record batch", follower).isEqualTo(57);
                    assertThat(shard.checksum(follower)).as("replica content").isNotEqualTo(shard.checksum(leader));
                    assertThat(Files.readString(dir.resolve(follower + ".log"))).contains("TEST-ONLY FAULT SWITCH");
                }
                else
                {
                    assertThat(onFollower.nextOffset()).isEqualTo(60);
                    assertThat(shard.checksum(follower)).as("replica content").containsExactly(shard.checksum(leader));
                    assertThat(Files.readString(dir.resolve(follower + ".log")))
                        .doesNotContain("TEST-ONLY FAULT SWITCH");
                }
            }
        }
    }

    private static void write(final ShardTestClient shard, final int from, final int batches) throws Exception
    {
        for (int b = from; b < from + batches; b++)
        {
            final ShardTestClient.AppendReply reply =
                shard.append(ShardTestClient.batch(-1, -1, "a" + b, "b" + b, "c" + b));
            assertThat(reply.isStored()).as("batch %d: %s", b, reply).isTrue();
        }
    }

    /**
     * Both replicas applied the same Raft index (the status's applied index; a skipped entry still counts as applied).
     */
    private static boolean sameApplied(final ShardTestClient shard, final String a, final String b) throws Exception
    {
        return shard.status(a).appliedIndex() == shard.status(b).appliedIndex();
    }
}
