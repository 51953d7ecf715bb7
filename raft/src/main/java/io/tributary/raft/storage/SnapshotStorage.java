package io.tributary.raft.storage;

import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;

/**
 * Ratis's single-file snapshot storage, minus a directory listing per Raft message.
 *
 * <p>{@link SimpleStateMachineStorage#getLatestSnapshot()} caches the latest snapshot once there is one, but while
 * there is none it lists the state machine folder on every call, and Ratis calls it on every appendEntries and
 * heartbeat a follower receives ({@code ServerState.containsTermIndex}, {@code getSnapshotIndex}) and at every
 * apply: a shard that has not reached its first snapshot (every shard for its first
 * {@code snapshot.auto.entries} entries, the metadata group for most of its life) paid an open, a
 * {@code getdents} and a close on its RPC lanes for each message (found with {@code perf}: directory lookups and
 * {@code UnixDirectoryStream} under {@code RaftServerImpl.appendEntriesAsync}).
 *
 * <p>Here "none on disk" is remembered too. Only this process writes snapshot files into the folder, and every
 * way one appears goes through {@link #updateLatestSnapshot} (our snapshots) or {@link #loadLatestSnapshot} (a
 * state machine (re)opening after a restart or an install), both of which forget the remembered "none". A
 * generation number keeps a listing that raced with a snapshot update from remembering a stale "none".
 */
public final class SnapshotStorage extends SimpleStateMachineStorage
{
    private final Object lock = new Object();
    private volatile boolean noneOnDisk;
    private long generation;

    @Override
    public SingleFileSnapshotInfo getLatestSnapshot()
    {
        // Ratis's version returns its cached snapshot, or lists the folder through loadLatestSnapshot() below
        return noneOnDisk ? null : super.getLatestSnapshot();
    }

    @Override
    public SingleFileSnapshotInfo loadLatestSnapshot()
    {
        final long listing;
        synchronized (lock)
        {
            listing = ++generation;
            noneOnDisk = false;
        }
        final SingleFileSnapshotInfo latest = super.loadLatestSnapshot();
        if (latest == null)
        {
            synchronized (lock)
            {
                if (generation == listing)
                {
                    noneOnDisk = true;
                }
            }
        }
        return latest;
    }

    @Override
    public SingleFileSnapshotInfo updateLatestSnapshot(final SingleFileSnapshotInfo info)
    {
        if (info != null) // Ratis's loadLatestSnapshot() passes what its listing found, null for none
        {
            synchronized (lock)
            {
                generation++;
                noneOnDisk = false;
            }
        }
        return super.updateLatestSnapshot(info);
    }
}
