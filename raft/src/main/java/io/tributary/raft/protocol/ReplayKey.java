package io.tributary.raft.protocol;

/**
 * The key a shard log stores with each batch so that replays are idempotent: the Raft index of
 * the entry that carried the batch and the batch's ordinal within that entry, packed into one
 * increasing long (index * 65,536 + ordinal). The engine only requires the keys it is given to
 * increase; it skips a batch whose key is not above the last one stored.
 * <p>
 * Bounds: ordinals up to 65,535 items per entry; Raft indexes up to 2^47 (1.4e14: 44 years at
 * 100,000 entries per second).
 */
public final class ReplayKey
{
    public static final int ORDINAL_BITS = 16;
    public static final int ORDINAL_MAX = (1 << ORDINAL_BITS) - 1;
    public static final long RAFT_INDEX_MAX = (1L << (63 - ORDINAL_BITS)) - 1;

    private ReplayKey()
    {
    }

    public static long of(final long raftIndex, final int ordinal)
    {
        if (raftIndex < 1 || raftIndex > RAFT_INDEX_MAX)
        {
            throw new IllegalArgumentException("raft index " + raftIndex + " outside [1, " + RAFT_INDEX_MAX + "]");
        }
        if (ordinal < 0 || ordinal > ORDINAL_MAX)
        {
            throw new IllegalArgumentException("ordinal " + ordinal + " outside [0, " + ORDINAL_MAX + "]");
        }
        return (raftIndex << ORDINAL_BITS) | ordinal;
    }

    public static long raftIndex(final long key)
    {
        return key >>> ORDINAL_BITS;
    }

    public static int ordinal(final long key)
    {
        return (int)(key & ORDINAL_MAX);
    }

    public static String toString(final long key)
    {
        return key <= 0 ? String.valueOf(key) : raftIndex(key) + "/" + ordinal(key);
    }
}
