package io.tributary.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
 * Issue #14, point 2: a replica added after retention deleted the start of its shard is rebuilt
 * from the leader's first retained offset (the leader's base state, then its batches), while
 * writes go on; before, it fetched from offset 0, was refused, and the move never finished. Run once per
 * transport by its subclasses.
 */
abstract class RetentionRebalanceTest
{
    private static final int SHARDS = 2;
    private static final String VALUE = "v".repeat(2000);

    @TempDir
    Path dir;

    /** The Raft transport of the nodes and of every client here. */
    abstract String transport();

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aNodeAddedAfterRetentionGetsItsReplicasFromTheLeadersFirstRetainedOffset() throws Exception
    {
        // As ShardFaultTest's purge catch-up: a new replica of a shard that has a snapshot catches up by snapshot,
        // which needs the leader's appender to notify it (its state machine fetches the state itself): Aeron's and
        // gRPC's do, and on Netty the node's own NotifyingLogAppender (Ratis's LogAppenderDefault sent files it
        // refuses).
        try (RunningCluster running = RunningCluster.builder(dir).transport(transport())
            .config("shard.roll.cycle", "TEST_SECONDLY").config("snapshot.auto.entries", "20")
            // The base state travels in many chunks (a few KiB here), as 1M keys (about 28 MiB) do at the default.
            .config("shard.install.chunk.bytes", "1000").start())
        {
            final LocalCluster cluster = running.processes();
            final MetadataClient metadata = running.metadata();
            running.createStream("kept", SHARDS, 3, 40000, -1);
            final List<ShardTestClient> shards = new ArrayList<>();
            final Map<Integer, Long> written = new HashMap<>();
            try
            {
                for (int s = 0; s < SHARDS; s++)
                {
                    shards.add(new ShardTestClient(metadata, "kept", s));
                    written.put(s, 0L);
                }
                // Enough one-second files that every replica's retention deletes some.
                final long fillEndNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                while (System.nanoTime() < fillEndNs)
                {
                    writeRound(shards, written);
                }
                for (final String node : cluster.nodeIds())
                {
                    for (final ShardTestClient shard : shards)
                    {
                        LocalCluster.await("retention on " + node, 60_000, () -> firstOffset(shard, node) > 0);
                    }
                }

                final String n4 = cluster.addNodeSlot();
                cluster.start(n4);
                LocalCluster.await("n4 registered", 60_000,
                    () -> "REGISTERED".equals(metadata.nodeStates().get(n4)));
                metadata.command("ADD_NODE", n4);
                int rounds = 0;
                final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (!RebalanceTestSupport.balanced(metadata, "kept", 4)
                    || !RebalanceTestSupport.placedAsTargeted(metadata, "kept"))
                {
                    assertThat(System.nanoTime()).as("rebalanced within 2 minutes").isLessThan(deadline);
                    writeRound(shards, written);
                    rounds++;
                }
                writeRound(shards, written);
                assertThat(rounds).as("writes went on during the moves").isGreaterThan(0);

                int onN4 = 0;
                for (int s = 0; s < SHARDS; s++)
                {
                    onN4 += replicasAgree(metadata, s, written.get(s), n4) ? 1 : 0;
                }
                assertThat(onN4).as("n4 took replicas").isPositive();
            }
            finally
            {
                for (final ShardTestClient shard : shards)
                {
                    shard.close();
                }
            }
        }
    }

    /**
     * Checks that every replica of shard {@code s} holds the same records from the highest first offset, that one
     * more conditional append commits, and (if n4 holds a replica) that n4's begins where retention left it.
     *
     * @return whether n4 holds a replica of the shard
     */
    private static boolean replicasAgree(final MetadataClient metadata, final int s, final long next, final String n4)
        throws Exception
    {
        try (ShardTestClient fresh = new ShardTestClient(metadata, "kept", s))
        {
            final List<String> peers = fresh.group.getPeers().stream().map(p -> p.getId().toString()).toList();
            for (final String peer : peers)
            {
                LocalCluster.await("replica " + peer + " of shard " + s + " at offset " + next, 60_000,
                    () -> nextOffset(fresh, peer) == next);
            }
            // Replicas delete files at their own pace: compare from the highest first offset.
            long from = 0;
            for (final String peer : peers)
            {
                from = Math.max(from, fresh.status(peer).firstOffset());
            }
            final long[] expected = fresh.checksumFrom(peers.get(0), from);
            for (final String peer : peers)
            {
                assertThat(fresh.checksumFrom(peer, from))
                    .as("shard %d on %s from offset %d", s, peer, from)
                    .isEqualTo(expected);
            }
            if (peers.contains(n4))
            {
                assertThat(fresh.status(n4).firstOffset())
                    .as("shard %d on n4 starts where retention left it", s)
                    .isPositive();
            }
            // Every replica decides a conditional append alike: one succeeds, committed on all.
            final ShardTestClient.AppendReply reply =
                fresh.append(ShardTestClient.conditionalBatch("k" + (next - 1), next - 1, VALUE));
            assertThat(reply.status()).as("shard %d: %s", s, reply).isEqualTo(AppendStatus.APPENDED);
            return peers.contains(n4);
        }
    }

    private static void writeRound(final List<ShardTestClient> shards, final Map<Integer, Long> written)
        throws Exception
    {
        for (int s = 0; s < shards.size(); s++)
        {
            final long offset = written.get(s);
            final ShardTestClient.AppendReply reply = shards.get(s)
                .append(ShardTestClient.conditionalBatch("k" + offset,
                AppendCondition.UNCHECKED, VALUE));
            assertThat(reply.status()).as("shard %d at %d: %s", s, offset, reply).isEqualTo(AppendStatus.APPENDED);
            assertThat(reply.baseOffset()).isEqualTo(offset);
            written.put(s, offset + 1);
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

    private static long nextOffset(final ShardTestClient shard, final String node)
    {
        try
        {
            final ShardProtocol.ShardStatus status = shard.status(node);
            return status.nextOffset();
        }
        catch (final Exception e)
        {
            return -1;
        }
    }
}
