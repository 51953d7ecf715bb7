package io.tributary.jepsen.checker.internal;

import java.util.SplittableRandom;

/**
 * The set of operations linearized so far, with a Zobrist hash and a compact form for the search cache.
 *
 * <p>Hash: each operation owns a random 64-bit key and the hash is the XOR of the keys of the members, so
 * setting or clearing one updates the hash in O(1) instead of rehashing every word as porcupine does.
 *
 * <p>Compact form: operations are ranked by call time, and a depth-first search over a time-ordered history
 * linearizes them almost in that order, so the set is nearly always "every rank below p, plus a few above".
 * The cache stores it as {@code p, k, r1..rk} (the k member ranks above p, ascending): a few ints where a
 * bitset of a 3,000-operation history takes 376 bytes. It is exact: two sets are equal exactly when their
 * compact forms are, so a cache hit can never be a different set (a lossy hash could turn a linearizable
 * history into a wrong verdict). Not thread-safe.
 */
final class LinearizedSet {
    /** Fixed so that runs are reproducible; the keys only need to look random to the cache. */
    private static final long KEY_SEED = 0x5DEECE66DL;

    private final int[] rankOf;
    private final long[] words;
    private final long[] keys;
    private long hash;
    /** Every rank below it is a member; it is not (or it is the operation count). */
    private int prefix;
    private int size;

    /** Operations ranked by their ids (ids already in call order). */
    LinearizedSet(int operations) {
        this(identity(operations));
    }

    /** @param rankOf each operation's rank by call time: a permutation of 0..n-1. */
    LinearizedSet(int[] rankOf) {
        int operations = rankOf.length;
        this.rankOf = rankOf.clone();
        boolean[] seen = new boolean[operations];
        for (int rank : this.rankOf) {
            if (rank < 0 || rank >= operations || seen[rank]) {
                throw new IllegalArgumentException("ranks must be a permutation of 0.." + (operations - 1) + ", found " + rank);
            }
            seen[rank] = true;
        }
        words = new long[Math.max(1, (operations + 63) >>> 6)];
        keys = new long[operations];
        SplittableRandom random = new SplittableRandom(KEY_SEED);
        for (int i = 0; i < operations; i++) {
            keys[i] = random.nextLong();
        }
    }

    private static int[] identity(int operations) {
        int[] ranks = new int[operations];
        for (int i = 0; i < operations; i++) {
            ranks[i] = i;
        }
        return ranks;
    }

    void set(int operation) {
        assert !contains(operation) : "operation " + operation + " is already linearized";
        int rank = rankOf[operation];
        words[rank >>> 6] |= 1L << rank;
        hash ^= keys[operation];
        size++;
        if (rank == prefix) {
            do {
                prefix++;
            } while (prefix < rankOf.length && has(prefix));
        }
    }

    void clear(int operation) {
        assert contains(operation) : "operation " + operation + " is not linearized";
        int rank = rankOf[operation];
        words[rank >>> 6] &= ~(1L << rank);
        hash ^= keys[operation];
        size--;
        if (rank < prefix) {
            prefix = rank;
        }
    }

    boolean contains(int operation) {
        return has(rankOf[operation]);
    }

    private boolean has(int rank) {
        return (words[rank >>> 6] & (1L << rank)) != 0;
    }

    long hash() {
        return hash;
    }

    int size() {
        return size;
    }

    /** Ints of the compact form: the prefix, the count above it, the ranks above it. */
    int compactLength() {
        return 2 + size - prefix;
    }

    /** Writes the compact form at {@code offset}; {@link #compactLength()} ints. */
    void writeCompact(int[] arena, int offset) {
        arena[offset] = prefix;
        int above = size - prefix;
        arena[offset + 1] = above;
        int at = offset + 2;
        int word = prefix >>> 6;
        long bits = above == 0 ? 0 : words[word] & (-1L << prefix);
        while (above > 0) {
            while (bits == 0) {
                bits = words[++word];
            }
            arena[at++] = (word << 6) + Long.numberOfTrailingZeros(bits);
            bits &= bits - 1;
            above--;
        }
    }

    /** True if the compact form at {@code offset} is this set's. */
    boolean sameAsCompact(int[] arena, int offset) {
        int above = size - prefix;
        if (arena[offset] != prefix || arena[offset + 1] != above) {
            return false;
        }
        int at = offset + 2;
        int word = prefix >>> 6;
        long bits = above == 0 ? 0 : words[word] & (-1L << prefix);
        while (above > 0) {
            while (bits == 0) {
                bits = words[++word];
            }
            if (arena[at++] != (word << 6) + Long.numberOfTrailingZeros(bits)) {
                return false;
            }
            bits &= bits - 1;
            above--;
        }
        return true;
    }
}
