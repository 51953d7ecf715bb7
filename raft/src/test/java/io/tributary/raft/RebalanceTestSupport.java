package io.tributary.raft;

import java.util.HashMap;
import java.util.Map;

import io.tributary.raft.meta.MetadataClient;

/** What the rebalancing tests ask the metadata: a node's state, and whether a stream's replicas are spread evenly. */
final class RebalanceTestSupport
{
    private RebalanceTestSupport()
    {
    }

    /** The node's state in the metadata (REGISTERED, ACTIVE, ...), or "" when it cannot be read. */
    static String nodeState(final MetadataClient metadata, final String id)
    {
        try
        {
            return metadata.query("NODES").lines().filter(l -> l.startsWith(id + "\t")).map(l -> l.split("\t")[2]).findFirst()
                .orElse("");
        }
        catch (final Exception e)
        {
            return "";
        }
    }

    /** True when the stream's replicas sit on exactly {@code nodes} nodes, whose replica counts differ by at most one. */
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
