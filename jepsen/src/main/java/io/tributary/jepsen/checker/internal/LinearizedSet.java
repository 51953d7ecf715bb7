package io.tributary.jepsen.checker.internal;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The set of operations linearized so far, as a bitset with a Zobrist hash: each operation owns a random
 * 64-bit key and the hash is the XOR of the keys of the members, so setting or clearing a bit updates the
 * hash in O(1) instead of rehashing every word as porcupine does. Not thread-safe.
 */
final class LinearizedSet {
    /** Fixed so that runs are reproducible; the keys only need to look random to the cache. */
    private static final long KEY_SEED = 0x5DEECE66DL;

    private final long[] words;
    private final long[] keys;
    private long hash;

    LinearizedSet(int operations) {
        words = new long[Math.max(1, (operations + 63) >>> 6)];
        keys = new long[operations];
        SplittableRandom random = new SplittableRandom(KEY_SEED);
        for (int i = 0; i < operations; i++) {
            keys[i] = random.nextLong();
        }
    }

    void set(int operation) {
        assert !contains(operation) : "operation " + operation + " is already linearized";
        words[operation >>> 6] |= 1L << operation;
        hash ^= keys[operation];
    }

    void clear(int operation) {
        assert contains(operation) : "operation " + operation + " is not linearized";
        words[operation >>> 6] &= ~(1L << operation);
        hash ^= keys[operation];
    }

    boolean contains(int operation) {
        return (words[operation >>> 6] & (1L << operation)) != 0;
    }

    long hash() {
        return hash;
    }

    int wordCount() {
        return words.length;
    }

    void copyWordsTo(long[] arena, int offset) {
        System.arraycopy(words, 0, arena, offset, words.length);
    }

    boolean sameWords(long[] arena, int offset) {
        return Arrays.equals(words, 0, words.length, arena, offset, offset + words.length);
    }
}
