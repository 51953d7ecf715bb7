package io.tributary.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.tributary.raft.meta.Placement;
import io.tributary.protocol.ShardRing;

import org.junit.jupiter.api.Test;

class PlacementTest
{
    private static Map<Placement.ShardId, Integer> shards(final int streams, final int perStream, final int rf)
    {
        final Map<Placement.ShardId, Integer> shards = new HashMap<>();
        for (int s = 1; s <= streams; s++)
        {
            for (int i = 0; i < perStream; i++)
            {
                shards.put(new Placement.ShardId(s, i), rf);
            }
        }
        return shards;
    }

    private static void assertBalanced(final Map<Placement.ShardId, List<String>> placement, final List<String> nodes, final int rf)
    {
        final Map<String, Integer> load = new HashMap<>();
        placement.forEach((shard, replicas) ->
        {
            assertThat(new HashSet<>(replicas)).as("distinct replicas of %s", shard).hasSize(Math.min(rf, nodes.size()));
            replicas.forEach(node -> load.merge(node, 1, Integer::sum));
        });
        final int max = nodes.stream().mapToInt(n -> load.getOrDefault(n, 0)).max().orElse(0);
        final int min = nodes.stream().mapToInt(n -> load.getOrDefault(n, 0)).min().orElse(0);
        assertThat(max - min).as("per-node replica counts %s", load).isLessThanOrEqualTo(1);
    }

    @Test
    void eightShardsOfRf3AreBalancedOverThreeAndFourNodes()
    {
        final Map<Placement.ShardId, Integer> shards = shards(1, 8, 3);
        final List<String> three = List.of("n1", "n2", "n3");
        final List<String> four = List.of("n1", "n2", "n3", "n4");
        final Map<Placement.ShardId, List<String>> before = Placement.place(shards, three);
        final Map<Placement.ShardId, List<String>> after = Placement.place(shards, four);
        assertBalanced(before, three, 3);
        assertBalanced(after, four, 3);
        int moved = 0;
        for (final Placement.ShardId shard : shards.keySet())
        {
            final HashSet<String> added = new HashSet<>(after.get(shard));
            added.removeAll(before.get(shard));
            moved += added.size();
        }
        assertThat(moved).as("replicas that move to the new node").isEqualTo(6);
    }

    @Test
    void randomClustersStayBalancedAndDeterministic()
    {
        final long seed = Long.getLong("tributary.seed", System.nanoTime());
        System.out.println("PlacementTest seed " + seed + " (replay with -Dtributary.seed=" + seed + ")");
        final Random random = new Random(seed);
        for (int round = 0; round < 300; round++)
        {
            final int nodeCount = 1 + random.nextInt(9);
            final List<String> nodes = new java.util.ArrayList<>();
            for (int n = 0; n < nodeCount; n++)
            {
                nodes.add("node-" + random.nextInt(1000) + "-" + n);
            }
            final int rf = 1 + random.nextInt(Math.min(5, nodeCount));
            final Map<Placement.ShardId, Integer> shards = shards(1 + random.nextInt(4), 1 + random.nextInt(20), rf);
            final Map<Placement.ShardId, List<String>> placement = Placement.place(shards, nodes);
            assertBalanced(placement, nodes, rf);
            assertThat(Placement.place(shards, nodes)).as("seed %d round %d", seed, round).isEqualTo(placement);
        }
    }

    @Test
    void keysSpreadOverShardsAndAlwaysMapTheSameWay()
    {
        final ShardRing ring = new ShardRing("sensors", 8);
        final int[] counts = new int[8];
        for (int k = 0; k < 80_000; k++)
        {
            counts[ring.shardFor(("sensor-" + k).getBytes())]++;
        }
        for (final int count : counts)
        {
            assertThat(count).isBetween(7_000, 13_000);
        }
        assertThat(new ShardRing("sensors", 8).shardFor("sensor-42".getBytes())).isEqualTo(ring.shardFor("sensor-42".getBytes()));
    }
}
