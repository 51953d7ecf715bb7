package io.tributary.jepsen.checker.internal;

import io.tributary.jepsen.checker.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lowe's memoization: the (linearized set, state) pairs already explored. Reaching a pair again means
 * the search below it was already done, so it can be skipped. An entry matches only if the sets are
 * equal (exactly: their compact forms, {@link LinearizedSet}) and the model says the states are equal.
 *
 * <p>The search is bound by memory latency and garbage collection here, so the layout is flat: an open
 * addressing table of hashes (linear probing reads contiguous memory and touches an entry only when the
 * hash matches) whose slots name entries; the entries' sets in their compact form, a few ints each, packed
 * in chunks of one int array each; their locations and states likewise. No object per entry but the model's
 * state. The first chunk starts small and doubles up to the chunk size; later chunks are allocated whole, so
 * growing never copies more than one chunk. Bounded by a count of its bytes, so a hopeless search ends in
 * UNKNOWN instead of an OutOfMemoryError. Not thread-safe.
 *
 * @param <S> model state
 */
final class StateCache<S>
{
    enum Outcome
    {
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
    /** Ints per set chunk, and entries per location and state chunk: 4-8 MiB, allocated at any time, yet few. */
    private static final int CHUNK = 1 << 20;
    /** A guess at a model state's own size (a small record or node), for the memory bound. */
    private static final int STATE_BYTES_ESTIMATE = 32;
    /** An entry's fixed bytes: its location (8), its state reference (8) and state, its share of the table. */
    private static final long ENTRY_FIXED_BYTES = 8 + 8 + STATE_BYTES_ESTIMATE + (long) Math.ceil(12 / LOAD_MAX);

    private final Model<S, ?, ?> model;
    private final long bytesMax;
    private long bytes;
    /** Per slot: the entry's hash, 0 for a free slot (stored hashes are never 0). */
    private long[] hashes = new long[INITIAL_CAPACITY];
    /** Per slot: the entry number. */
    private int[] entryOfSlot = new int[INITIAL_CAPACITY];
    private int growAt = (int) (INITIAL_CAPACITY * LOAD_MAX);
    /** The sets' compact forms, back to back; a form never spans two chunks. */
    private final List<int[]> setChunks = new ArrayList<>();
    private int setChunkUsed;
    /** Entry e's location is at {@code e % CHUNK} in chunk {@code e / CHUNK}: set chunk index << 32 | offset. */
    private final List<long[]> locationChunks = new ArrayList<>();
    private final List<Object[]> stateChunks = new ArrayList<>();
    private int entries;

    StateCache(final Model<S, ?, ?> model, final long bytesMax)
    {
        if (bytesMax < 1)
        {
            throw new IllegalArgumentException("cache bytesMax must be at least 1, got " + bytesMax);
        }
        this.model = model;
        this.bytesMax = bytesMax;
    }

    /** The bytes an entry whose set has {@code compactLength} ints is counted for. */
    static long bytesPerEntry(final int compactLength)
    {
        return ENTRY_FIXED_BYTES + 4L * compactLength;
    }

    /** Adds the pair unless an equal one is present or the cache is full. */
    @SuppressWarnings("unchecked")
    Outcome add(final LinearizedSet linearized, final S state)
    {
        long hash = mix(linearized.hash() ^ mix(model.hash(state)));
        if (hash == 0)
        {
            hash = 1;
        }
        int mask = hashes.length - 1;
        int slot = (int) hash & mask;
        for (long h = hashes[slot]; h != 0; h = hashes[slot])
        {
            if (h == hash)
            {
                int entry = entryOfSlot[slot];
                long location = locationChunks.get(entry / CHUNK)[entry % CHUNK];
                if (linearized.sameAsCompact(setChunks.get((int) (location >>> 32)), (int) location)
                    && model.equal((S) stateChunks.get(entry / CHUNK)[entry % CHUNK], state))
                {
                    return Outcome.PRESENT;
                }
            }
            slot = (slot + 1) & mask;
        }
        int length = linearized.compactLength();
        long entryBytes = bytesPerEntry(length);
        if (bytes + entryBytes > bytesMax || (entries >= growAt && hashes.length == CAPACITY_MAX))
        {
            return Outcome.FULL;
        }
        store(slot, hash, linearized, length, state);
        bytes += entryBytes;
        if (entries >= growAt && hashes.length < CAPACITY_MAX)
        {
            growTable();
        }
        return Outcome.ADDED;
    }

    long entries()
    {
        return entries;
    }

    /** The bytes counted against the bound so far. */
    long bytes()
    {
        return bytes;
    }

    private void store(final int slot, final long hash, final LinearizedSet linearized, final int length, final S state)
    {
        if (length > CHUNK)
        {
            throw new IllegalStateException("a linearized set of " + length + " ints does not fit a chunk of " + CHUNK);
        }
        int setChunk = setChunks.size() - 1;
        if (setChunk < 0 || setChunkUsed + length > CHUNK)
        {
            setChunks.add(new int[setChunk < 0 ? Math.max(INITIAL_CAPACITY, length) : CHUNK]);
            setChunk++;
            setChunkUsed = 0;
        }
        int[] sets = setChunks.get(setChunk);
        if (setChunkUsed + length > sets.length)
        {
            sets = Arrays.copyOf(sets, (int) Math.min(CHUNK, Math.max(2L * sets.length, setChunkUsed + length)));
            setChunks.set(setChunk, sets);
        }
        linearized.writeCompact(sets, setChunkUsed);
        long location = ((long) setChunk << 32) | setChunkUsed;
        setChunkUsed += length;

        int chunk = entries / CHUNK;
        int index = entries % CHUNK;
        if (chunk == locationChunks.size())
        {
            int capacity = chunk == 0 ? INITIAL_CAPACITY : CHUNK;
            locationChunks.add(new long[capacity]);
            stateChunks.add(new Object[capacity]);
        }
        else if (index == stateChunks.get(chunk).length)
        {
            int capacity = Math.min(CHUNK, 2 * index);
            locationChunks.set(chunk, Arrays.copyOf(locationChunks.get(chunk), capacity));
            stateChunks.set(chunk, Arrays.copyOf(stateChunks.get(chunk), capacity));
        }
        locationChunks.get(chunk)[index] = location;
        stateChunks.get(chunk)[index] = state;
        hashes[slot] = hash;
        entryOfSlot[slot] = entries;
        entries++;
    }

    private void growTable()
    {
        long[] oldHashes = hashes;
        int[] oldEntries = entryOfSlot;
        int capacity = oldHashes.length << 1;
        hashes = new long[capacity];
        entryOfSlot = new int[capacity];
        growAt = (int) (capacity * LOAD_MAX);
        int mask = capacity - 1;
        for (int i = 0; i < oldHashes.length; i++)
        {
            long hash = oldHashes[i];
            if (hash != 0)
            {
                int slot = (int) hash & mask;
                while (hashes[slot] != 0)
                {
                    slot = (slot + 1) & mask;
                }
                hashes[slot] = hash;
                entryOfSlot[slot] = oldEntries[i];
            }
        }
    }

    /** The MurmurHash3 64-bit finalizer: model hashes such as small integers need spreading. */
    private static long mix(final long hash)
    {
        long h = hash;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
