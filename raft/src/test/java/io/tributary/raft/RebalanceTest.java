package io.tributary.raft;

import io.tributary.raft.node.LocalCluster;
import io.tributary.raft.node.RunningCluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.tributary.format.AppendStatus;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.protocol.ShardEntryDescriptor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Placement of 8 shards x RF 3 over 3 and then 4 node processes: after the fourth node is
 * added, replicas move to it by Ratis membership change while writes continue, counts per node
 * differ by at most one, and every record stays readable. Also: bad requests get clear errors
 * and the nodes stay up. Run once per transport by its subclasses.
 */
abstract class RebalanceTest
{
    private static final int SHARDS = 8;

    @TempDir
    Path dir;

    /** The Raft transport of the nodes and of every client here. */
    abstract String transport();

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void addingANodeRebalancesWhileWritesContinue() throws Exception
    {
        try (RunningCluster running = RunningCluster.builder(dir).transport(transport()).start())
        {
            final LocalCluster cluster = running.processes();
            final MetadataClient metadata = running.metadata();
            running.createStream("placed", SHARDS, 3);
            final List<ShardTestClient> shards = new ArrayList<>();
            for (int s = 0; s < SHARDS; s++)
            {
                shards.add(new ShardTestClient(metadata, "placed", s));
            }
            try
            {
                final Map<Integer, Integer> written = new HashMap<>();
                writeRound(shards, written, 0);
                badInputGetsClearErrorsAndTheNodeStaysUp(shards.get(0), metadata);
                written.merge(0, 2, Integer::sum);

                final String n4 = cluster.addNodeSlot();
                cluster.start(n4);
                LocalCluster.await("n4 registered", 60_000,
                    () -> "REGISTERED".equals(metadata.nodeStates().get(n4)));
                metadata.command("ADD_NODE", n4);
                int round = 1;
                final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
                while (!RebalanceTestSupport.balanced(metadata, "placed", 4)
                    || !RebalanceTestSupport.placedAsTargeted(metadata, "placed"))
                {
                    assertThat(System.nanoTime()).as("rebalanced within 4 minutes").isLessThan(deadline);
                    writeRound(shards, written, round++);
                }
                writeRound(shards, written, round);
                assertThat(round).as("writes went on during the moves").isGreaterThan(1);
                for (int s = 0; s < SHARDS; s++)
                {
                    try (ShardTestClient fresh = new ShardTestClient(metadata, "placed", s))
                    {
                        final String leader = leaderOf(fresh);
                        written.merge(s, 1, Integer::sum);
                        assertThat(fresh.checksum(leader)[1]).as("records of shard %d", s)
                            .isEqualTo(written.get(s).longValue());
                        for (final var peer : fresh.group.getPeers())
                        {
                            final String id = peer.getId().toString();
                            LocalCluster.await("replica " + id + " of shard " + s, 60_000,
                                () -> ShardFaultTest.sameChecksum(fresh, leader, id));
                        }
                    }
                }
                removingANodeMovesItsReplicasAwayAndDeletingTheStreamRemovesItsGroups(cluster, metadata, n4);
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

    private static void
        removingANodeMovesItsReplicasAwayAndDeletingTheStreamRemovesItsGroups(final LocalCluster cluster,
        final MetadataClient metadata, final String removed) throws Exception
    {
        metadata.command("REMOVE_NODE", removed);
        LocalCluster.await("replicas moved off " + removed, 180_000, () ->
            "REGISTERED".equals(metadata.nodeStates().get(removed)));
        assertThat(RebalanceTestSupport.balanced(metadata, "placed", 3)).isTrue();
        metadata.command("DELETE_STREAM", "placed");
        LocalCluster.await("stream removed", 60_000, () -> streamList(metadata).isBlank());
        for (final String node : cluster.nodeIds())
        {
            final Path shards = cluster.dataDir(node).resolve("shards");
            try
            {
                LocalCluster.await("shard logs deleted on " + node, 30_000, () -> isEmpty(shards));
            }
            catch (final AssertionError e)
            {
                try (var walk = Files.walk(shards))
                {
                    throw new AssertionError(e.getMessage() + ": " + walk.map(Path::toString).toList(), e);
                }
            }
        }
    }

    private static String streamList(final MetadataClient metadata)
    {
        try
        {
            return metadata.query("LIST").strip();
        }
        catch (final Exception e)
        {
            return "(no answer)";
        }
    }

    private static boolean isEmpty(final Path folder)
    {
        try (var files = Files.list(folder))
        {
            return files.findAny().isEmpty();
        }
        catch (final NoSuchFileException e)
        {
            return true;
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    private static String leaderOf(final ShardTestClient shard) throws Exception
    {
        shard.append(ShardTestClient.batch(-1, -1, "probe"));
        return shard.leader();
    }

    /**
     * Two records per shard, as one idempotent batch (producer 1000 + shard, one sequence per record), as a
     * producer sends them: the test client resends a request Ratis failed with LeaderSteppingDown or
     * TransferLeadership while leaderships move, and that request may have been committed all the same. A
     * raw (non-idempotent) resend was then stored twice (CI, on Netty: 3,817 records of shard 1 for 3,815
     * written); an idempotent one is answered DUPLICATE with its first offsets and stored once.
     */
    private static void writeRound(final List<ShardTestClient> shards, final Map<Integer, Integer> written,
        final int round)
        throws Exception
    {
        for (int s = 0; s < shards.size(); s++)
        {
            final int sequence = 2 * round;
            final ShardTestClient.AppendReply reply = shards.get(s).append(ShardTestClient.batch(1000 + s, sequence,
                "r" + round + "a", "r" + round + "b"));
            assertThat(reply.isStored()).as("shard %d round %d: %s", s, round, reply).isTrue();
            if (reply.status() == AppendStatus.DUPLICATE)
            {
                System.out.println("RebalanceTest: shard " + s + " round " + round
                    + ": a resend was recognised as a duplicate"
                    + " of the batch stored at offset " + reply.baseOffset());
            }
            written.merge(s, 2, Integer::sum);
        }
    }

    private static void badInputGetsClearErrorsAndTheNodeStaysUp(final ShardTestClient shard,
        final MetadataClient metadata)
        throws Exception
    {
        // An entry that claims one item but carries 3 bytes of it: refused as INVALID_BATCH, identically on every
        // replica.
        final byte[] garbage = {ShardEntryDescriptor.TYPE, ShardEntryDescriptor.VERSION, 1, 0, 0, 0, 0, 0, 1, 2, 3};
        // Through append's retries: the controller may be moving the new shard's leadership to its preferred replica,
        // and Ratis's blocking client does not retry "is stepping down" (CI, twice: a raw send failed with it).
        final ShardTestClient.AppendReply decoded = shard.append(garbage);
        assertThat(decoded.status()).isEqualTo(AppendStatus.INVALID_BATCH);
        assertThat(decoded.message()).contains("less than its 28-byte header");

        // An entry with a flag this node does not know: its item is refused on every replica, nothing stored.
        final byte[] flagged = ShardTestClient.batch(-1, -1, "y");
        flagged[ShardEntryDescriptor.FLAGS_OFFSET] = 2;
        final ShardTestClient.AppendReply refused = shard.append(flagged);
        assertThat(refused.status()).isEqualTo(AppendStatus.INVALID_BATCH);
        assertThat(refused.message()).contains("has flags 0x2; this node knows 0x1 only");

        final byte[] corrupt = ShardTestClient.batch(-1, -1, "x");
        corrupt[corrupt.length - 1] ^= 1;
        assertThat(shard.append(corrupt).message()).contains("CRC mismatch");

        try
        {
            metadata.query("DESCRIBE", "no-such-stream");
            throw new AssertionError("an unknown stream must be refused");
        }
        catch (final MetadataClient.MetadataException e)
        {
            assertThat(e.getMessage()).contains("unknown stream 'no-such-stream'");
        }
        assertThat(shard.append(ShardTestClient.batch(-1, -1, "still up")).status()).isEqualTo(AppendStatus.APPENDED);
        shard.append(ShardTestClient.batch(-1, -1, "still up"));
    }
}
