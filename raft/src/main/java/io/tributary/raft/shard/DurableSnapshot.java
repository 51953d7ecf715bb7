package io.tributary.raft.shard;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.tributary.engine.EngineSnapshot;
import io.tributary.engine.ShardLog;


/**
 * Writes a shard's Raft snapshot so that Ratis may purge its log up to it. Ratis deletes the log
 * entries a snapshot covers as soon as the state machine returns the snapshot's index; until then
 * those entries are the only durable copy of the batches (the engine writes its queue files
 * through mapped memory and never waits for them), so everything they stored must be on the disk
 * first: the queue files written since the last write-back, the queue folder (a new file's name),
 * and Chronicle's table store. Then the snapshot file (written atomically and forced by
 * {@link EngineSnapshot#write}) and its checksum file, and their folder.
 *
 * <p>The order is the contract (docs/ARCHITECTURE.md, "Durability"): a failure anywhere throws,
 * and Ratis purges nothing.
 */
final class DurableSnapshot
{
    /** Chronicle's table store in a queue folder (roll state and indexes). */
    static final String TABLE_STORE = "metadata.cq4t";

    private DurableSnapshot()
    {
    }

    /**
     * Forces what {@code log} stored, then writes {@code log}'s snapshot to {@code file}; returns it.
     *
     * @param forcer how a file or folder is forced ({@link ShardLog#FDATASYNC}; tests record the calls).
     */
    static EngineSnapshot write(final ShardLog log, final Path queueDirectory, final File file,
        final ShardLog.FileForcer forcer)
        throws IOException
    {
        log.forceWritten(forcer);
        forcer.force(queueDirectory);
        final Path tableStore = queueDirectory.resolve(TABLE_STORE);
        if (Files.exists(tableStore))
        {
            forcer.force(tableStore);
        }
        final EngineSnapshot snapshot = log.snapshot();
        snapshot.write(file.toPath());
        return snapshot;
    }
}
