package io.tributary.client.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A stream as the metadata quorum describes it ({@code DESCRIBE name}): its settings and, per
 * shard, the Raft group and the current replicas. Immutable.
 */
public record StreamInfo(String name, long id, int shardCount, int replicationFactor, long retentionBytes,
    long retentionMs,
    List<ShardInfo> shards)
{
    /**
     * One shard's Raft group and replicas (node id -> host:port, in placement order, the preferred leader first;
     * empty until placed).
     */
    public record ShardInfo(int shard, UUID groupId, Map<String, String> replicas)
    {
        public boolean isPlaced()
        {
            return !replicas.isEmpty();
        }
    }

    public ShardInfo shard(final int shard)
    {
        return shards.get(shard);
    }

    /**
     * Parses the reply of {@code DESCRIBE}: a first line {@code id shards rf retentionBytes retentionMs}
     * (tab-separated, possibly after a leading tab), then {@code shard groupUuid peer=host:port,...}.
     *
     * @throws IllegalArgumentException naming the line when the text is not such a reply.
     */
    public static StreamInfo parse(final String name, final String text)
    {
        final String[] lines = text.split("\n");
        final String[] head = stripLeadingTab(lines[0]).split("\t", -1);
        if (head.length < 5)
        {
            throw new IllegalArgumentException("DESCRIBE " + name + ": first line '" + lines[0]
                + "' does not have 5 fields (id, shards, rf, retentionBytes, retentionMs)");
        }
        try
        {
            final int shardCount = Integer.parseInt(head[1]);
            if (lines.length != shardCount + 1)
            {
                throw new IllegalArgumentException("DESCRIBE " + name + " says " + shardCount + " shards but lists "
                    + (lines.length - 1));
            }
            final List<ShardInfo> shards = new ArrayList<>(shardCount);
            for (int i = 1; i < lines.length; i++)
            {
                shards.add(parseShard(name, lines[i], i - 1));
            }
            return new StreamInfo(name, Long.parseLong(head[0]), shardCount, Integer.parseInt(head[2]),
                Long.parseLong(head[3]), Long.parseLong(head[4]), Collections.unmodifiableList(shards));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("DESCRIBE " + name + ": malformed number in '" + text.replace('\n', '|')
                + "': " + e.getMessage(), e);
        }
    }

    private static ShardInfo parseShard(final String name, final String line, final int expectedShard)
    {
        final String[] f = line.split("\t", -1);
        if (f.length < 3 || Integer.parseInt(f[0]) != expectedShard)
        {
            throw new IllegalArgumentException("DESCRIBE " + name + ": shard line '" + line
                + "' is not 'shard groupUuid peers'" + " for shard " + expectedShard);
        }
        final Map<String, String> replicas = new LinkedHashMap<>();
        if (!f[2].isEmpty())
        {
            for (final String peer : f[2].split(","))
            {
                final int eq = peer.indexOf('=');
                if (eq <= 0 || eq == peer.length() - 1)
                {
                    throw new IllegalArgumentException("DESCRIBE " + name + ": replica '" + peer + "' of shard "
                        + expectedShard + " is not id=host:port (a node without a registered address?)");
                }
                replicas.put(peer.substring(0, eq), peer.substring(eq + 1));
            }
        }
        return new ShardInfo(expectedShard, UUID.fromString(f[1]), Collections.unmodifiableMap(replicas));
    }

    private static String stripLeadingTab(final String line)
    {
        return line.startsWith("\t") ? line.substring(1) : line;
    }
}
