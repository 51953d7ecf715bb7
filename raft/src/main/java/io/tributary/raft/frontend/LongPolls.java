package io.tributary.raft.frontend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fetches waiting for data, by the shard they wait on. A shard's apply wakes the fetches waiting
 * on it; a fetch waiting on several shards is woken by the first (it answers once, with whatever
 * each of its shards has then).
 */
final class LongPolls
{
    private final Map<ShardHandle, List<PendingFetch>> waiting = new ConcurrentHashMap<>();

    void await(final ShardHandle shard, final PendingFetch fetch)
    {
        waiting.computeIfAbsent(shard, s -> new CopyOnWriteArrayList<>()).add(fetch);
    }

    void remove(final ShardHandle shard, final PendingFetch fetch)
    {
        final List<PendingFetch> fetches = waiting.get(shard);
        if (fetches != null)
        {
            fetches.remove(fetch);
        }
    }

    /** On Ratis's apply thread: costs one map lookup when nobody waits. */
    void onApplied(final ShardHandle shard)
    {
        final List<PendingFetch> fetches = waiting.get(shard);
        if (fetches == null || fetches.isEmpty())
        {
            return;
        }
        final List<PendingFetch> ready = new ArrayList<>();
        for (final PendingFetch fetch : fetches)
        {
            if (fetch.hasDataOn(shard))
            {
                ready.add(fetch);
            }
        }
        for (final PendingFetch fetch : ready)
        {
            fetch.wake();
        }
    }
}
