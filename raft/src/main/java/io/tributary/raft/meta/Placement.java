package io.tributary.raft.meta;

import io.tributary.protocol.Hashing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which nodes hold each shard's replicas: rendezvous (highest random weight) hashing with a
 * load bound. Each shard ranks the nodes by hash(shard, node) and takes the best ones that
 * are not yet full, where full means holding ceil(replicas / nodes) replicas. The ranking
 * keeps most replicas in place when a node joins or leaves (about 1/N move); the bound keeps
 * per-node counts within one of each other. Deterministic: every node computes the same
 * answer from the same inputs.
 *
 * <p>The first replica of each list is the shard's preferred leader (as Kafka's first replica
 * of an assignment), chosen by {@link PreferredLeaders} so that every node is preferred for
 * about as many shards as every other, over all streams and within each.
 */
public final class Placement
{
    private Placement()
    {
    }

    /** A shard to place: its stream's id and its index. */
    public record ShardId(long streamId, int shard)
    {
        String label()
        {
            return streamId + "/" + shard;
        }
    }

    /**
     * @param shards  every shard of every stream, with its replication factor.
     * @param nodes   the nodes that may hold replicas, sorted or not.
     * @return shard -> node ids, the preferred leader first, then by rank.
     */
    public static Map<ShardId, List<String>> place(final Map<ShardId, Integer> shards, final List<String> nodes)
    {
        final Map<ShardId, List<String>> result = new HashMap<>();
        if (nodes.isEmpty())
        {
            return result;
        }
        final int totalReplicas = shards.values().stream().mapToInt(rf -> Math.min(rf, nodes.size())).sum();
        final int capacity = (totalReplicas + nodes.size() - 1) / nodes.size();
        final Map<String, Integer> load = new HashMap<>();
        final List<ShardId> order = new ArrayList<>(shards.keySet());
        order.sort(Comparator.comparingLong(ShardId::streamId).thenComparingInt(ShardId::shard));
        for (final ShardId shard : order)
        {
            final int replicas = Math.min(shards.get(shard), nodes.size());
            final List<String> ranked = new ArrayList<>(nodes);
            ranked.sort(Comparator.comparingLong((String node) -> score(shard, node)).reversed()
                .thenComparing(node -> node));
            final List<String> chosen = new ArrayList<>();
            for (final String node : ranked)
            {
                if (chosen.size() < replicas && load.getOrDefault(node, 0) < capacity)
                {
                    chosen.add(node);
                    load.merge(node, 1, Integer::sum);
                }
            }
            for (final String node : ranked)
            {
                // The load bound can leave a late shard short of distinct nodes: take the best remaining.
                if (chosen.size() < replicas && !chosen.contains(node))
                {
                    chosen.add(node);
                    load.merge(node, 1, Integer::sum);
                }
            }
            result.put(shard, chosen);
        }
        balance(result, nodes, load, order);
        preferLeaders(result);
        return result;
    }

    /**
     * Moves each shard's preferred leader (PreferredLeaders: spread evenly over the nodes, and per
     * stream) to the front of its replica list; the rest keep their rank. Only the order changes.
     */
    private static void preferLeaders(final Map<ShardId, List<String>> result)
    {
        final Map<ShardId, String> leaders = PreferredLeaders.choose(result);
        for (final Map.Entry<ShardId, String> entry : leaders.entrySet())
        {
            final List<String> replicas = result.get(entry.getKey());
            final int index = replicas.indexOf(entry.getValue());
            assert index >= 0 : "preferred leader " + entry.getValue() + " of " + entry.getKey() + " is not in "
                + replicas;
            replicas.add(0, replicas.remove(index));
        }
    }

    /**
     * Moves replicas from the most to the least loaded node until loads differ by at most one.
     * Always possible: a node with more replicas than another holds some shard the other lacks.
     */
    private static void balance(final Map<ShardId, List<String>> result, final List<String> nodes,
        final Map<String, Integer> load, final List<ShardId> order)
    {
        while (true)
        {
            final List<String> byLoad = new ArrayList<>(nodes);
            byLoad.sort(Comparator.comparingInt((String node) -> load.getOrDefault(node, 0))
                .thenComparing(node -> node));
            final String least = byLoad.get(0);
            final String most = byLoad.get(byLoad.size() - 1);
            if (load.getOrDefault(most, 0) - load.getOrDefault(least, 0) <= 1)
            {
                return;
            }
            for (final ShardId shard : order)
            {
                final List<String> replicas = result.get(shard);
                if (replicas.contains(most) && !replicas.contains(least))
                {
                    replicas.set(replicas.indexOf(most), least);
                    load.merge(most, -1, Integer::sum);
                    load.merge(least, 1, Integer::sum);
                    break;
                }
            }
        }
    }

    static long score(final ShardId shard, final String node)
    {
        final byte[] label = (shard.label() + "@" + node).getBytes(StandardCharsets.UTF_8);
        return Hashing.hash64(label, 0, label.length);
    }
}
