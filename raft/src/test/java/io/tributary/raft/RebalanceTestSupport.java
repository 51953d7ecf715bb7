package io.tributary.raft;

import java.util.HashMap;
import java.util.Map;

import java.util.List;

import io.tributary.raft.meta.ClusterMetadata;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.meta.Placement;

/** What the rebalancing tests ask the metadata: a node's state, and whether a stream's replicas are spread evenly. */
final class RebalanceTestSupport
{
    private RebalanceTestSupport()
    {
    }

    /** The node's state in the metadata (REGISTERED, ACTIVE, ...), or "" when it cannot be read. */
    /**
     * True when every shard of the stream has the replicas the controller works towards (its target placement):
     * the controller is done moving it. Being {@link #balanced} is not enough: the controller moves one shard at a
     * time, and counts can look even halfway through its plan (CI: a test read a shard's replicas after the first of
     * two moves and waited a minute for a replica that the second move took away).
     */
    static boolean placedAsTargeted(final MetadataClient metadata, final String stream) throws Exception
    {
        final String text = metadata.query("STATE");
        final ClusterMetadata state = ClusterMetadata.deserialize(text.startsWith("OK\n") ? text.substring(3) : text);
        final ClusterMetadata.Stream described = state.streams().get(stream);
        if (described == null)
        {
            return false;
        }
        final Map<Placement.ShardId, List<String>> target = state.targetPlacement();
        for (int shard = 0; shard < described.shards(); shard++)
        {
            final List<String> wanted = target.get(new Placement.ShardId(described.id(), shard));
            if (wanted == null || !wanted.equals(state.replicasOf(described.id(), shard)))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * True when the stream's replicas sit on exactly {@code nodes} nodes, whose replica counts differ by at most one.
     */
    static boolean balanced(final MetadataClient metadata, final String stream, final int nodes) throws Exception
    {
        final Map<String, Integer> load = new HashMap<>();
        final String[] lines = metadata.query("DESCRIBE", stream).split("\n");
        for (int i = 1; i < lines.length; i++)
        {
            for (final String peer : lines[i].split("\t", -1)[2].split(","))
            {
                load.merge(peer.substring(0, peer.indexOf('=')), 1, Integer::sum);
            }
        }
        final int max = load.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        final int min = load.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        return load.size() == nodes && max - min <= 1;
    }
}
