package io.tributary.jepsen.checker.internal;

import java.util.SplittableRandom;

/**
 * The set of operations linearized so far, with a Zobrist hash and a compact form for the search cache.
 *
 * <p>Hash: each operation owns a random 64-bit key and the hash is the XOR of the keys of the members, so
 * setting or clearing one updates the hash in O(1) instead of rehashing every word as porcupine does.
 *
 * <p>Compact form: operations are ranked by call time, and a depth-first search over a time-ordered history
 * linearizes them almost in that order, so the set is nearly always "every rank below p, plus a few above",
 * or, once an operation that may never be linearized (a crashed client's) holds p back, "every rank below h
 * but a few". The cache stores whichever list is shorter ({@link #writeCompact}): a few ints where a bitset
 * of a 3,000-operation history takes 376 bytes. It is exact: two sets are equal exactly when their
 * compact forms are, so a cache hit can never be a different set (a lossy hash could turn a linearizable
 * history into a wrong verdict). Not thread-safe.
 */
final class LinearizedSet
{
    /** Fixed so that runs are reproducible; the keys only need to look random to the cache. */
    private static final long KEY_SEED = 0x5DEECE66DL;

    private final int[] rankOf;
    private final long[] words;
    private final long[] keys;
    private long hash;
    /** Every rank below it is a member; it is not (or it is the operation count). */
    private int prefix;
    /** One above the highest member's rank; 0 when empty. */
    private int highWater;
    private int size;

    /** Operations ranked by their ids (ids already in call order). */
    LinearizedSet(final int operations)
    {
        this(identity(operations));
    }

    /** @param rankOf each operation's rank by call time: a permutation of 0..n-1. */
    LinearizedSet(final int[] rankOf)
    {
        int operations = rankOf.length;
        this.rankOf = rankOf.clone();
        boolean[] seen = new boolean[operations];
        for (final int rank : this.rankOf)
        {
            if (rank < 0 || rank >= operations || seen[rank])
            {
                throw new IllegalArgumentException("ranks must be a permutation of 0.." + (operations - 1) + ", found "
                    + rank);
            }
            seen[rank] = true;
        }
        words = new long[Math.max(1, (operations + 63) >>> 6)];
        keys = new long[operations];
        SplittableRandom random = new SplittableRandom(KEY_SEED);
        for (int i = 0; i < operations; i++)
        {
            keys[i] = random.nextLong();
        }
    }

    private static int[] identity(final int operations)
    {
        int[] ranks = new int[operations];
        for (int i = 0; i < operations; i++)
        {
            ranks[i] = i;
        }
        return ranks;
    }

    void set(final int operation)
    {
        assert !contains(operation) : "operation " + operation + " is already linearized";
        int rank = rankOf[operation];
        words[rank >>> 6] |= 1L << rank;
        hash ^= keys[operation];
        size++;
        if (rank >= highWater)
        {
            highWater = rank + 1;
        }
        if (rank == prefix)
        {
            do
            {
                prefix++;
            }
            while (prefix < rankOf.length && has(prefix));
        }
    }

    void clear(final int operation)
    {
        assert contains(operation) : "operation " + operation + " is not linearized";
        int rank = rankOf[operation];
        words[rank >>> 6] &= ~(1L << rank);
        hash ^= keys[operation];
        size--;
        if (rank < prefix)
        {
            prefix = rank;
        }
        if (rank == highWater - 1)
        {
            do
            {
                highWater--;
            }
            while (highWater > 0 && !has(highWater - 1));
        }
    }

    boolean contains(final int operation)
    {
        return has(rankOf[operation]);
    }

    private boolean has(final int rank)
    {
        return (words[rank >>> 6] & (1L << rank)) != 0;
    }

    long hash()
    {
        return hash;
    }

    int size()
    {
        return size;
    }

    /** Ints of the compact form ({@link #writeCompact}). */
    int compactLength()
    {
        return 3 + Math.min(size - prefix, highWater - size);
    }

    /**
     * Writes the compact form at {@code offset}, {@link #compactLength()} ints: the prefix p, the high-water
     * mark h (one above the highest member's rank), then the shorter of two lists, both ascending: the members
     * above p (count stored as is) or the ranks between p and h that are not members (count stored negated).
     * The form is a function of the set alone, so equal forms mean equal sets.
     */
    void writeCompact(final int[] arena, final int offset)
    {
        arena[offset] = prefix;
        arena[offset + 1] = highWater;
        int members = size - prefix;
        int holes = highWater - size;
        boolean listHoles = holes < members;
        arena[offset + 2] = listHoles ? -holes : members;
        int at = offset + 3;
        int count = listHoles ? holes : members;
        int word = prefix >>> 6;
        long bits = count == 0 ? 0 : pick(word, listHoles) & (-1L << prefix);
        while (count > 0)
        {
            while (bits == 0)
            {
                bits = pick(++word, listHoles);
            }
            arena[at++] = (word << 6) + Long.numberOfTrailingZeros(bits);
            bits &= bits - 1;
            count--;
        }
    }

    /** True if the compact form at {@code offset} is this set's. */
    boolean sameAsCompact(final int[] arena, final int offset)
    {
        if (arena[offset] != prefix || arena[offset + 1] != highWater)
        {
            return false;
        }
        int members = size - prefix;
        int holes = highWater - size;
        boolean listHoles = holes < members;
        if (arena[offset + 2] != (listHoles ? -holes : members))
        {
            return false;
        }
        int at = offset + 3;
        int count = listHoles ? holes : members;
        int word = prefix >>> 6;
        long bits = count == 0 ? 0 : pick(word, listHoles) & (-1L << prefix);
        while (count > 0)
        {
            while (bits == 0)
            {
                bits = pick(++word, listHoles);
            }
            if (arena[at++] != (word << 6) + Long.numberOfTrailingZeros(bits))
            {
                return false;
            }
            bits &= bits - 1;
            count--;
        }
        return true;
    }

    /** The members of a word, or its non-members (holes), which below the high-water mark are what is missing. */
    private long pick(final int word, final boolean holes)
    {
        return holes ? ~words[word] : words[word];
    }
}
