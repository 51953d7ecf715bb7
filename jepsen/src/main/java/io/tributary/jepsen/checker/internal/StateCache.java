package io.tributary.jepsen.checker.internal;

import io.tributary.jepsen.checker.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lowe's memoization: the (linearized set, state) pairs already explored. Reaching a pair again means
 * the search below it was already done, so it can be skipped. An entry matches only if the bitsets are
 * equal and the model says the states are equal.
 *
 * <p>The search is bound by memory latency and garbage collection here, so the layout is flat: an open
 * addressing table of hashes (linear probing reads contiguous memory and touches an entry only when the
 * hash matches) whose slots name entries; the entries' bitsets packed in chunks of one array each, their
 * states likewise. No object per entry but the model's state. The first chunk starts small and doubles up
 * to the chunk size; later chunks are allocated whole, so growing never copies more than one chunk.
 * Bounded by an estimate of its bytes, so a hopeless search ends in UNKNOWN instead of an
 * OutOfMemoryError. Not thread-safe.
 *
 * @param <S> model state
 */
final class StateCache<S> {
    enum Outcome {
        ADDED,
        PRESENT,
        FULL
    }

    /** Small: most partitions of most histories need few entries, and checks of small histories are many. */
    private static final int INITIAL_CAPACITY = 1 << 8;
    /** Table slots are indexed by int. */
    private static final int CAPACITY_MAX = 1 << 30;
    /** Linear probing degrades fast past about 2/3 full. */
    private static final double LOAD_MAX = 0.6;
    /** Words per arena chunk: 8 MiB, small enough to allocate at any time, large enough to be few. */
    private static final int CHUNK_WORDS = 1 << 20;
    /** A guess at a model state's own size (a small record or node), for the memory bound. */
    private static final int STATE_BYTES_ESTIMATE = 32;

    private final Model<S, ?, ?> model;
    private final int wordsPerEntry;
    private final int entriesPerChunk;
    private final long entriesMax;
    /** Per slot: the entry's hash, 0 for a free slot (stored hashes are never 0). */
    private long[] hashes = new long[INITIAL_CAPACITY];
    /** Per slot: the entry number. */
    private int[] entryOfSlot = new int[INITIAL_CAPACITY];
    private int growAt = (int) (INITIAL_CAPACITY * LOAD_MAX);
    /** Entry e's bitset is at {@code (e % entriesPerChunk) * wordsPerEntry} in chunk {@code e / entriesPerChunk}. */
    private final List<long[]> wordChunks = new ArrayList<>();
    private final List<Object[]> stateChunks = new ArrayList<>();
    private int entries;

    StateCache(Model<S, ?, ?> model, long bytesMax, int wordsPerEntry) {
        if (bytesMax < 1) {
            throw new IllegalArgumentException("cache bytesMax must be at least 1, got " + bytesMax);
        }
        if (wordsPerEntry < 1 || wordsPerEntry > CHUNK_WORDS) {
            throw new IllegalArgumentException("wordsPerEntry must be in [1, " + CHUNK_WORDS + "], got " + wordsPerEntry);
        }
        this.model = model;
        this.wordsPerEntry = wordsPerEntry;
        this.entriesPerChunk = CHUNK_WORDS / wordsPerEntry;
        this.entriesMax = Math.max(1, bytesMax / bytesPerEntry(wordsPerEntry));
    }

    /** The estimated bytes one entry costs: its bitset, its state, and its share of the table. */
    static long bytesPerEntry(int wordsPerEntry) {
        return 8L * wordsPerEntry + 4 + STATE_BYTES_ESTIMATE + (long) Math.ceil(12 / LOAD_MAX);
    }

    /** Adds the pair unless an equal one is present or the cache is full. */
    @SuppressWarnings("unchecked")
    Outcome add(LinearizedSet linearized, S state) {
        assert linearized.wordCount() == wordsPerEntry : "set of " + linearized.wordCount() + " words in a cache of "
            + wordsPerEntry;
        long hash = mix(linearized.hash() ^ mix(model.hash(state)));
        if (hash == 0) {
            hash = 1;
        }
        int mask = hashes.length - 1;
        int slot = (int) hash & mask;
        for (long h = hashes[slot]; h != 0; h = hashes[slot]) {
            if (h == hash) {
                int entry = entryOfSlot[slot];
                int chunk = entry / entriesPerChunk;
                int index = entry - chunk * entriesPerChunk;
                if (linearized.sameWords(wordChunks.get(chunk), index * wordsPerEntry)
                    && model.equal((S) stateChunks.get(chunk)[index], state)) {
                    return Outcome.PRESENT;
                }
            }
            slot = (slot + 1) & mask;
        }
        if (entries >= entriesMax || (entries >= growAt && hashes.length == CAPACITY_MAX)) {
            return Outcome.FULL;
        }
        store(slot, hash, linearized, state);
        if (entries >= growAt && hashes.length < CAPACITY_MAX) {
            growTable();
        }
        return Outcome.ADDED;
    }

    long entries() {
        return entries;
    }

    private void store(int slot, long hash, LinearizedSet linearized, S state) {
        int chunk = entries / entriesPerChunk;
        int index = entries - chunk * entriesPerChunk;
        if (chunk == wordChunks.size()) {
            int capacity = chunk == 0 ? Math.min(entriesPerChunk, INITIAL_CAPACITY) : entriesPerChunk;
            wordChunks.add(new long[capacity * wordsPerEntry]);
            stateChunks.add(new Object[capacity]);
        } else if (index == stateChunks.get(chunk).length) {
            int capacity = Math.min(entriesPerChunk, 2 * index);
            wordChunks.set(chunk, Arrays.copyOf(wordChunks.get(chunk), capacity * wordsPerEntry));
            stateChunks.set(chunk, Arrays.copyOf(stateChunks.get(chunk), capacity));
        }
        linearized.copyWordsTo(wordChunks.get(chunk), index * wordsPerEntry);
        stateChunks.get(chunk)[index] = state;
        hashes[slot] = hash;
        entryOfSlot[slot] = entries;
        entries++;
    }

    private void growTable() {
        long[] oldHashes = hashes;
        int[] oldEntries = entryOfSlot;
        int capacity = oldHashes.length << 1;
        hashes = new long[capacity];
        entryOfSlot = new int[capacity];
        growAt = (int) (capacity * LOAD_MAX);
        int mask = capacity - 1;
        for (int i = 0; i < oldHashes.length; i++) {
            long hash = oldHashes[i];
            if (hash != 0) {
                int slot = (int) hash & mask;
                while (hashes[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                hashes[slot] = hash;
                entryOfSlot[slot] = oldEntries[i];
            }
        }
    }

    /** The MurmurHash3 64-bit finalizer: model hashes such as small integers need spreading. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
