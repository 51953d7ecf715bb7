package io.tributary.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.agrona.DirectBuffer;

/**
 * Key -> shard by consistent hashing: a ring of {@link #VIRTUAL_NODES} points per shard,
 * placed by a 64-bit hash of (stream, shard, point); a key goes to the first point at or after
 * its own hash. The client and the server build the same ring from the same stream name and
 * shard count. Lookups allocate nothing: a binary search over a sorted long array.
 */
public final class ShardRing
{
    public static final int VIRTUAL_NODES = 128;

    private final long[] points;
    private final int[] shards;

    public ShardRing(final String stream, final int shardCount)
    {
        if (shardCount < 1)
        {
            throw new IllegalArgumentException("a stream needs at least one shard, got " + shardCount);
        }
        final long[][] entries = new long[shardCount * VIRTUAL_NODES][];
        int i = 0;
        for (int shard = 0; shard < shardCount; shard++)
        {
            for (int v = 0; v < VIRTUAL_NODES; v++)
            {
                final byte[] label = (stream + "/" + shard + "/" + v).getBytes(StandardCharsets.UTF_8);
                entries[i++] = new long[] {Hashing.hash64(label, 0, label.length), shard};
            }
        }
        Arrays.sort(entries, (a, b) -> Long.compare(a[0], b[0]));
        points = new long[entries.length];
        shards = new int[entries.length];
        for (int e = 0; e < entries.length; e++)
        {
            points[e] = entries[e][0];
            shards[e] = (int)entries[e][1];
        }
    }

    public int shardFor(final byte[] key)
    {
        return shardForHash(Hashing.hash64(key, 0, key.length));
    }

    public int shardFor(final DirectBuffer key, final int offset, final int length)
    {
        return shardForHash(Hashing.hash64(key, offset, length));
    }

    private int shardForHash(final long hash)
    {
        int found = Arrays.binarySearch(points, hash);
        if (found < 0)
        {
            found = -found - 1;
        }
        return shards[found == points.length ? 0 : found];
    }
}
