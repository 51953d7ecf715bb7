package io.tributary.raft.meta;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Chooses each shard's preferred leader among its replicas so that leaderships spread evenly:
 * first over the nodes (every node leads floor or ceil of shards / nodes when the replica sets
 * allow it), then, within that, over the nodes for each stream. Replicas never move: only which
 * of a shard's replicas is preferred.
 *
 * <p>Why a min-cost flow and not a greedy rotation: with fewer replicas than nodes the replica
 * sets constrain the choice, and a greedy pass can corner itself (the last shards' replicas are
 * all on nodes that already lead enough) where a balanced choice exists. The flow is
 * source -> shard type (shards of one stream with the same replica set, interchangeable) ->
 * (stream, node) -> node -> sink, with convex costs on the last two hops: the k-th leadership
 * of a node costs {@code G * (2k - 1)} and the k-th of a stream on a node {@code 2k - 1}, so
 * the total is {@code G * sum(leaders per node)^2 + sum(leaders per stream and node)^2}. With
 * {@code G} above any possible value of the second sum this is lexicographic: the most even
 * spread over nodes, and among those the most even per stream. A sum of squares with a fixed
 * total is least exactly when all counts are within one of each other, so whenever a choice
 * balanced in both senses exists, this finds one. Solved primal-dual: Dijkstra with potentials,
 * then unit paths along edges of reduced cost 0, shortest in hops first, which keeps earlier
 * assignments in place rather than reshuffling them at equal cost.
 *
 * <p>Size: a graph of shard types, not shards, and one Dijkstra per cost level (about shards /
 * nodes of them) rather than per shard: 1,024 shards x RF 3 on 9 nodes take about 20 ms, 8,192
 * about half a second (ClusterMetadata keeps the last placement for that reason).
 * Deterministic: the same input gives the same answer on every node. Thread-safe: no shared state.
 */
public final class PreferredLeaders
{
    /** Guards the cost arithmetic against overflow: costs grow as shards^3. */
    static final int SHARDS_MAX = 1_000_000;

    private PreferredLeaders()
    {
    }

    /**
     * @param replicas each shard's replicas, best first (among equally good choices a shard gets its best-ranked).
     * @return each shard's preferred leader, one of its replicas; shards without replicas are left out.
     */
    public static Map<Placement.ShardId, String> choose(final Map<Placement.ShardId, List<String>> replicas)
    {
        if (replicas.size() > SHARDS_MAX)
        {
            throw new IllegalArgumentException("cannot spread the leaders of " + replicas.size() + " shards: at most "
                + SHARDS_MAX + " (the flow's costs would overflow)");
        }
        final List<Placement.ShardId> shards = new ArrayList<>(replicas.keySet());
        shards.sort(Comparator.comparingLong(Placement.ShardId::streamId).thenComparingInt(Placement.ShardId::shard));
        // Shards of one stream with the same replica set are interchangeable: one vertex with a capacity.
        final Map<String, List<Placement.ShardId>> types = new LinkedHashMap<>();
        for (final Placement.ShardId shard : shards)
        {
            final List<String> peers = replicas.get(shard);
            if (!peers.isEmpty())
            {
                types.computeIfAbsent(shard.streamId() + "\t" + new TreeSet<>(peers), key -> new ArrayList<>())
                    .add(shard);
            }
        }
        final Flow flow = Flow.build(types, replicas);
        flow.solve();
        return flow.assign(types, replicas);
    }

    /** The flow network and its solution; built, solved and read once. */
    private static final class Flow
    {
        private static final int SOURCE = 0;
        private static final int SINK = 1;
        private static final long UNREACHED = Long.MAX_VALUE;

        private final Map<String, Integer> nodeVertex = new HashMap<>();
        private final Map<String, Integer> streamNodeVertex = new HashMap<>();
        /**
         * Per type (in the order of the types map), its type -> (stream, node) edges, in its first shard's replica
         * order.
         */
        private final List<int[]> typeEdges = new ArrayList<>();
        private int vertices = 2;
        private int units;

        // Edges in pairs: 2i forward, 2i+1 its residual reverse. Costs: weight * (2 * flow + 1) forward.
        private int[] head;
        private int[] next = new int[64];
        private int[] to = new int[64];
        private int[] capacity = new int[64];
        private int[] flow = new int[64];
        private long[] weight = new long[64];
        private int edges;

        static Flow build(final Map<String, List<Placement.ShardId>> types, final Map<Placement.ShardId,
            List<String>> replicas)
        {
            final TreeSet<String> allNodes = new TreeSet<>();
            final Map<Long, Long> shardsPerStream = new TreeMap<>();
            final Map<String, Integer> leadersMaxPerStreamNode = new TreeMap<>();
            final Map<String, Integer> leadersMaxPerNode = new TreeMap<>();
            for (final List<Placement.ShardId> type : types.values())
            {
                final Placement.ShardId first = type.get(0);
                shardsPerStream.merge(first.streamId(), (long)type.size(), Long::sum);
                for (final String node : replicas.get(first))
                {
                    allNodes.add(node);
                    leadersMaxPerStreamNode.merge(first.streamId() + "\t" + node, type.size(), Integer::sum);
                    leadersMaxPerNode.merge(node, type.size(), Integer::sum);
                }
            }
            // G exceeds the largest possible per-stream sum of squares, so the per-node spread always wins.
            long perStreamSquaresMax = 0;
            for (final long count : shardsPerStream.values())
            {
                perStreamSquaresMax = Math.addExact(perStreamSquaresMax, Math.multiplyExact(count, count));
            }
            final Flow flow = new Flow();
            flow.head = new int[2 + types.size() + leadersMaxPerStreamNode.size() + allNodes.size()];
            Arrays.fill(flow.head, -1);
            for (final String node : allNodes)
            {
                final int vertex = flow.vertices++;
                flow.nodeVertex.put(node, vertex);
                flow.addEdge(vertex, SINK, leadersMaxPerNode.get(node), perStreamSquaresMax + 1);
            }
            for (final Map.Entry<String, Integer> entry : leadersMaxPerStreamNode.entrySet())
            {
                final int vertex = flow.vertices++;
                flow.streamNodeVertex.put(entry.getKey(), vertex);
                final String node = entry.getKey().substring(entry.getKey().indexOf('\t') + 1);
                flow.addEdge(vertex, flow.nodeVertex.get(node), entry.getValue(), 1);
            }
            for (final List<Placement.ShardId> type : types.values())
            {
                final Placement.ShardId first = type.get(0);
                final int vertex = flow.vertices++;
                flow.addEdge(SOURCE, vertex, type.size(), 0);
                final List<String> peers = replicas.get(first);
                final int[] out = new int[peers.size()];
                for (int i = 0; i < peers.size(); i++)
                {
                    out[i] = flow.edges;
                    flow.addEdge(vertex, flow.streamNodeVertex.get(first.streamId() + "\t" + peers.get(i)),
                        type.size(), 0);
                }
                flow.typeEdges.add(out);
                flow.units += type.size();
            }
            return flow;
        }

        private void addEdge(final int from, final int target, final int edgeCapacity, final long edgeWeight)
        {
            if (edges + 2 > to.length)
            {
                final int length = to.length * 2;
                next = Arrays.copyOf(next, length);
                to = Arrays.copyOf(to, length);
                capacity = Arrays.copyOf(capacity, length);
                flow = Arrays.copyOf(flow, length);
                weight = Arrays.copyOf(weight, length);
            }
            link(from, target, edgeCapacity, edgeWeight);
            link(target, from, 0, edgeWeight);
        }

        private void link(final int from, final int target, final int edgeCapacity, final long edgeWeight)
        {
            to[edges] = target;
            capacity[edges] = edgeCapacity;
            weight[edges] = edgeWeight;
            next[edges] = head[from];
            head[from] = edges++;
        }

        private int residual(final int edge)
        {
            return (edge & 1) == 0 ? capacity[edge] - flow[edge] : flow[edge ^ 1];
        }

        /** The marginal cost of one more unit along this residual edge (negative on reverse edges). */
        private long cost(final int edge)
        {
            return (edge & 1) == 0 ? weight[edge] * (2L * flow[edge] + 1) : -weight[edge] * (2L * flow[edge ^ 1] - 1);
        }

        /**
         * Primal-dual: Dijkstra on reduced costs sets the potentials, then unit paths are pushed along
         * edges of reduced cost 0 (Dinic: shortest in hops first) until none is left, and again. Pushing
         * a unit through a convex edge raises its cost, so it leaves the zero-cost graph by itself.
         */
        void solve()
        {
            final long[] potential = new long[vertices];
            final long[] distance = new long[vertices];
            final int[] level = new int[vertices];
            final int[] arc = new int[vertices];
            int sent = 0;
            while (sent < units)
            {
                shortestPaths(potential, distance);
                if (distance[SINK] == UNREACHED)
                {
                    throw new IllegalStateException("leader flow: no path for leadership " + (sent + 1) + " of " + units
                        + " although every shard has a replica; this is a bug");
                }
                final long limit = distance[SINK];
                for (int v = 0; v < vertices; v++)
                {
                    // Johnson potentials; capping at the sink's distance keeps reduced costs >= 0 after an early stop.
                    potential[v] += Math.min(distance[v], limit);
                }
                final int before = sent;
                while (sent < units && levels(potential, level))
                {
                    System.arraycopy(head, 0, arc, 0, vertices);
                    while (sent < units && push(SOURCE, potential, level, arc))
                    {
                        sent++;
                    }
                }
                if (sent == before)
                {
                    throw new
                        IllegalStateException("leader flow: a shortest path of reduced cost 0 was not found again "
                        + "after " + sent + " of " + units + " leaderships; this is a bug");
                }
            }
        }

        private boolean admissible(final int edge, final int from, final long[] potential)
        {
            return residual(edge) > 0 && cost(edge) + potential[from] - potential[to[edge]] == 0;
        }

        /** Hops from the source over admissible edges; true if the sink is reached. */
        private boolean levels(final long[] potential, final int[] level)
        {
            Arrays.fill(level, -1);
            final int[] queue = new int[vertices];
            int tail = 0;
            queue[tail++] = SOURCE;
            level[SOURCE] = 0;
            for (int i = 0; i < tail; i++)
            {
                final int u = queue[i];
                for (int edge = head[u]; edge != -1; edge = next[edge])
                {
                    final int v = to[edge];
                    if (level[v] < 0 && admissible(edge, u, potential))
                    {
                        level[v] = level[u] + 1;
                        queue[tail++] = v;
                    }
                }
            }
            return level[SINK] >= 0;
        }

        /** One unit from {@code u} to the sink along admissible edges one level down each; false if none. */
        private boolean push(final int u, final long[] potential, final int[] level, final int[] arc)
        {
            if (u == SINK)
            {
                return true;
            }
            for (; arc[u] != -1; arc[u] = next[arc[u]])
            {
                final int edge = arc[u];
                final int v = to[edge];
                if (level[v] == level[u] + 1 && admissible(edge, u, potential) && push(v, potential, level, arc))
                {
                    if ((edge & 1) == 0)
                    {
                        flow[edge]++;
                    }
                    else
                    {
                        flow[edge ^ 1]--;
                    }
                    return true;
                }
            }
            return false;
        }

        /** Dijkstra on reduced costs; stops once the sink is settled. */
        private void shortestPaths(final long[] potential, final long[] distance)
        {
            Arrays.fill(distance, UNREACHED);
            final boolean[] done = new boolean[vertices];
            distance[SOURCE] = 0;
            final PriorityQueue<long[]> queue = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                : Long.compare(a[1], b[1]));
            queue.add(new long[] {0, SOURCE});
            while (!queue.isEmpty())
            {
                final int u = (int)queue.poll()[1];
                if (done[u])
                {
                    continue;
                }
                done[u] = true;
                if (u == SINK)
                {
                    return;
                }
                for (int edge = head[u]; edge != -1; edge = next[edge])
                {
                    final int v = to[edge];
                    if (residual(edge) <= 0 || done[v])
                    {
                        continue;
                    }
                    final long reduced = cost(edge) + potential[u] - potential[v];
                    assert reduced >= 0 : "negative reduced cost " + reduced + " on edge " + edge;
                    final long d = Math.addExact(distance[u], reduced);
                    if (d < distance[v])
                    {
                        distance[v] = d;
                        queue.add(new long[] {d, v});
                    }
                }
            }
        }

        /**
         * Hands each type's leaderships per node to its shards: in shard order, each takes its best-ranked
         * replica that still has a leadership of the type left.
         */
        Map<Placement.ShardId, String> assign(final Map<String, List<Placement.ShardId>> types,
            final Map<Placement.ShardId, List<String>> replicas)
        {
            final Map<Placement.ShardId, String> leaders = new HashMap<>();
            int typeIndex = 0;
            for (final List<Placement.ShardId> type : types.values())
            {
                final int[] out = typeEdges.get(typeIndex++);
                final List<String> typePeers = replicas.get(type.get(0));
                final Map<String, Integer> left = new HashMap<>();
                for (int i = 0; i < out.length; i++)
                {
                    left.put(typePeers.get(i), flow[out[i]]);
                }
                for (final Placement.ShardId shard : type)
                {
                    for (final String peer : replicas.get(shard))
                    {
                        if (left.get(peer) > 0)
                        {
                            left.merge(peer, -1, Integer::sum);
                            leaders.put(shard, peer);
                            break;
                        }
                    }
                }
            }
            if (leaders.size() != units)
            {
                throw new IllegalStateException("leader flow assigned " + leaders.size() + " of " + units
                    + " shards; this is a bug");
            }
            return leaders;
        }
    }
}
