package io.tributary.bench.load;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Raft counters of a stream's shards, as their leaders report them, so the load generator can
 * tell how many Raft entries carried the records it sent (the cost of a write is per entry, see
 * WRITE-PATH.md "Cost model"). A {@link LoadSystem} provides it; systems without Raft groups
 * return {@link #NOT_AVAILABLE}. The load generator calls {@link #sample()} once per second from
 * one background thread, never from a producer thread, and closes it at the end of the run.
 */
public interface ClusterCounters extends AutoCloseable
{
    /**
     * One shard's leader at one moment: {@code appliedIndex} (Raft index: one per entry, plus the
     * rare configuration and leader no-op entries), {@code batchCount} (batches stored) and
     * {@code nextOffset} (records stored). {@code known} is false when the shard had no leader
     * that answered; the other fields are then meaningless.
     */
    record Shard(int shard, boolean known, long appliedIndex, long batchCount, long nextOffset)
    {
        public static Shard unknown(final int shard)
        {
            return new Shard(shard, false, -1, -1, -1);
        }
    }

    /** Every shard of the stream at one moment. */
    record Sample(List<Shard> shards)
    {
        public Sample
        {
            shards = List.copyOf(shards);
        }
    }

    /**
     * What happened between two samples, summed over the shards known in both. A shard whose
     * counter went backwards (a new leader that had not applied as far as the old one, or
     * retention deleting batches) adds nothing for that counter: {@code shardsSkipped} counts
     * shards left out of the sums, wholly or partly.
     */
    record Delta(long entries, long batches, long records, int shardsSkipped)
    {
        public static Delta between(final Sample before, final Sample after)
        {
            final Map<Integer, Shard> earlier = new HashMap<>();
            for (final Shard shard : before.shards())
            {
                earlier.put(shard.shard(), shard);
            }
            long entries = 0;
            long batches = 0;
            long records = 0;
            int skipped = 0;
            for (final Shard now : after.shards())
            {
                final Shard then = earlier.get(now.shard());
                if (then == null || !then.known() || !now.known())
                {
                    skipped++;
                    continue;
                }
                final long entryDelta = now.appliedIndex() - then.appliedIndex();
                final long batchDelta = now.batchCount() - then.batchCount();
                final long recordDelta = now.nextOffset() - then.nextOffset();
                entries += Math.max(0, entryDelta);
                batches += Math.max(0, batchDelta);
                records += Math.max(0, recordDelta);
                if (entryDelta < 0 || batchDelta < 0 || recordDelta < 0)
                {
                    skipped++;
                }
            }
            return new Delta(entries, batches, records, skipped);
        }

        /** Batches per Raft entry; NaN when no entry was applied. */
        public double batchesPerEntry()
        {
            return entries == 0 ? Double.NaN : (double)batches / entries;
        }

        /** Records per Raft entry; NaN when no entry was applied. */
        public double recordsPerEntry()
        {
            return entries == 0 ? Double.NaN : (double)records / entries;
        }
    }

    /** For systems without Raft groups (Kafka): never sampled. */
    ClusterCounters NOT_AVAILABLE = new ClusterCounters()
    {
        @Override
        public boolean available()
        {
            return false;
        }

        @Override
        public Sample sample()
        {
            throw new UnsupportedOperationException("this system has no Raft counters: check available() first");
        }
    };

    boolean available();

    /** The counters of every shard's leader now; may take a few round trips. */
    Sample sample() throws Exception;

    @Override
    default void close() throws Exception
    {
    }
}
