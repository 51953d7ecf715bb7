package io.tributary.engine.internal;

import java.util.function.Consumer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * Producer id -> (epoch, last sequence, the last few batches) for idempotent appends.
 *
 * <p>The last {@link #RECENT_BATCHES} batches of each producer are kept so that a retry of any
 * of them, not only the newest, gets its original offsets back (a client pipelines up to that
 * many batches per shard). Bounded by {@code maxProducers}: when full, the producer whose last
 * append is oldest (smallest offset, so the choice is deterministic on every replica) is evicted;
 * if it comes back with a sequence other than 0 it is told it is unknown.
 */
public final class ProducerTable
{
    public static final int RECENT_BATCHES = 5;

    private final Long2ObjectHashMap<ProducerState> producers = new Long2ObjectHashMap<>();
    private final int maxProducers;

    public ProducerTable(final int maxProducers)
    {
        if (maxProducers < 1)
        {
            throw new IllegalArgumentException("maxProducers must be at least 1, got " + maxProducers);
        }
        this.maxProducers = maxProducers;
    }

    public ProducerState get(final long producerId)
    {
        return producers.get(producerId);
    }

    public int size()
    {
        return producers.size();
    }

    public void clear()
    {
        producers.clear();
    }

    /** Records a stored batch of this producer. */
    public void onAppended(
        final long producerId, final short epoch, final int baseSequence, final int recordCount, final long baseOffset)
    {
        ProducerState state = producers.get(producerId);
        if (state == null)
        {
            if (producers.size() >= maxProducers)
            {
                evictOldest();
            }
            state = new ProducerState(producerId);
            producers.put(producerId, state);
        }
        state.record(epoch, baseSequence, recordCount, baseOffset);
    }

    private void evictOldest()
    {
        long victim = 0;
        long oldest = Long.MAX_VALUE;
        for (final ProducerState state : producers.values())
        {
            if (state.lastBaseOffset() < oldest)
            {
                oldest = state.lastBaseOffset();
                victim = state.producerId();
            }
        }
        producers.remove(victim);
    }

    public void forEach(final Consumer<ProducerState> visitor)
    {
        producers.values().forEach(visitor);
    }

    public void restore(final ProducerState state)
    {
        producers.put(state.producerId(), state);
    }

    /** One producer's state. Sequences are per record: a batch covers [base, base + count - 1]. */
    public static final class ProducerState
    {
        private final long producerId;
        private short epoch;
        private final int[] baseSequences = new int[RECENT_BATCHES];
        private final int[] recordCounts = new int[RECENT_BATCHES];
        private final long[] baseOffsets = new long[RECENT_BATCHES];
        private int recentCount;
        private int newest = -1;

        public ProducerState(final long producerId)
        {
            this.producerId = producerId;
        }

        void record(final short epoch, final int baseSequence, final int recordCount, final long baseOffset)
        {
            if (epoch != this.epoch)
            {
                recentCount = 0;
            }
            this.epoch = epoch;
            newest = (newest + 1) % RECENT_BATCHES;
            baseSequences[newest] = baseSequence;
            recordCounts[newest] = recordCount;
            baseOffsets[newest] = baseOffset;
            recentCount = Math.min(recentCount + 1, RECENT_BATCHES);
        }

        public long producerId()
        {
            return producerId;
        }

        public short epoch()
        {
            return epoch;
        }

        public int lastSequence()
        {
            return baseSequences[newest] + recordCounts[newest] - 1;
        }

        public long lastBaseOffset()
        {
            return baseOffsets[newest];
        }

        public int recentCount()
        {
            return recentCount;
        }

        /** The i-th most recent batch, 0 = newest. */
        public int recentBaseSequence(final int i)
        {
            return baseSequences[slot(i)];
        }

        public int recentRecordCount(final int i)
        {
            return recordCounts[slot(i)];
        }

        public long recentBaseOffset(final int i)
        {
            return baseOffsets[slot(i)];
        }

        private int slot(final int i)
        {
            if (i < 0 || i >= recentCount)
            {
                throw new IndexOutOfBoundsException("recent batch " + i + " of " + recentCount);
            }
            return Math.floorMod(newest - i, RECENT_BATCHES);
        }

        /** Position (0 = newest) of a recent batch with this base sequence and count, or -1. */
        public int findRecent(final int baseSequence, final int recordCount)
        {
            for (int i = 0; i < recentCount; i++)
            {
                if (recentBaseSequence(i) == baseSequence && recentRecordCount(i) == recordCount)
                {
                    return i;
                }
            }
            return -1;
        }
    }
}
