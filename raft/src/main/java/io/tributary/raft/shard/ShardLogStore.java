package io.tributary.raft.shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.tributary.engine.CorruptLogException;
import io.tributary.engine.EngineSnapshot;
import io.tributary.engine.ShardLog;
import io.tributary.engine.ShardLogConfig;
import io.tributary.format.RecordBatchDescriptor;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.protocol.TermIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's shard log on disk: opened and read back whole, a damaged copy set aside while the Raft log can still
 * rebuild it, a copy installed from a peer staged beside it and swapped in by two renames, the leftovers of an install
 * a crash cut put right, and the folder deleted when the group leaves the node. Knows the folder names and nothing of
 * what the state machine applied beyond what it is told.
 */
final class ShardLogStore
{
    private static final Logger LOG = LoggerFactory.getLogger(ShardLogStore.class);
    /** Read size when verifying a reopened log; raised to the largest batch if that is bigger. */
    private static final int VERIFY_BUFFER_BYTES = 1 << 20;
    private static final Pattern SEGMENT = Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-\\d+)?");

    private final ShardLogConfig config;
    private final Object member;
    private final RaftGroupId groupId;

    /**
     * @param member  this replica (the Raft member id), for log lines.
     * @param groupId the shard's Raft group, named by a {@link DamagedReplicaException}.
     */
    ShardLogStore(final ShardLogConfig config, final Object member, final RaftGroupId groupId)
    {
        this.config = config;
        this.member = member;
        this.groupId = groupId;
    }

    Path directory()
    {
        return config.directory();
    }

    /** Whether the log was closed cleanly last time (its own state file is then newer than any Raft snapshot). */
    boolean closedCleanly()
    {
        return Files.exists(config.directory().resolve(ShardLog.CLEAN_SHUTDOWN_FILE));
    }

    /**
     * Opens the shard log and reads back every retained batch (both CRCs and the offsets checked): recovery from a
     * clean-shutdown or Raft snapshot replays only what follows it, and a bit flipped before that point must not wait
     * for a client's read to be found. Costs one read of the retained bytes, as a recovery after a crash does.
     *
     * <p>Damaged files with no Raft snapshot: this replica's Raft log still holds every entry from the first (Ratis
     * purges only up to a snapshot), so the damaged queue folder is moved aside and the log rebuilt by Ratis's replay.
     * With a snapshot the entries before it are gone from this replica: refuse to start, saying what to do.
     *
     * @param engineSnapshot where recovery starts (null: from the log's own state or its start).
     * @param raftSnapshot   the Raft snapshot this replica holds, or null if none.
     */
    ShardLog openVerified(final EngineSnapshot engineSnapshot, final TermIndex raftSnapshot) throws IOException
    {
        try
        {
            final ShardLog opened = ShardLog.open(config, engineSnapshot);
            try
            {
                verifyAll(opened);
                return opened;
            }
            catch (final CorruptLogException e)
            {
                opened.close();
                throw e;
            }
        }
        catch (final CorruptLogException e)
        {
            final Path directory = config.directory();
            if (raftSnapshot != null)
            {
                throw new DamagedReplicaException(groupId.getUuid(), "shard log " + directory + " of " + groupId
                    + " is damaged (" + e.getMessage() + ") and this replica's Raft log was purged up to its snapshot "
                    + raftSnapshot + ", so it cannot rebuild the shard from it: it is copied from its peers", e);
            }
            final Path aside = directory.resolveSibling(directory.getFileName() + ".corrupt-"
                + System.currentTimeMillis());
            Files.move(directory, aside);
            LOG.error("{} shard log {} of {} is damaged; moved it to {} and rebuilding it from this replica's Raft log,"
                + " which holds every entry (no snapshot yet). Damage: {}", member, directory, groupId, aside,
                e.getMessage());
            return ShardLog.open(config, null);
        }
    }

    /** Reads every retained batch once; {@link ShardLog#read} checks both CRCs and the base offset of each. */
    private void verifyAll(final ShardLog shardLog)
    {
        final int bufferBytes = Math.max(VERIFY_BUFFER_BYTES, config.maxBatchBytes());
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[bufferBytes]);
        long next = shardLog.firstOffset();
        final long end = shardLog.nextOffset();
        while (next < end)
        {
            final int length = shardLog.read(next, scratch, 0, bufferBytes);
            if (length <= 0)
            {
                throw new CorruptLogException(String.valueOf(config.directory()), -1, "no batch can be read at"
                    + " offset " + next + " although the log ends at " + end);
            }
            for (int at = 0; at < length; at += scratch.getInt(at + RecordBatchDescriptor.BATCH_LENGTH_OFFSET))
            {
                next = scratch.getLong(at + RecordBatchDescriptor.BASE_OFFSET_OFFSET)
                    + scratch.getInt(at + RecordBatchDescriptor.RECORD_COUNT_OFFSET);
            }
        }
    }

    /**
     * A Raft log whose first segment was cut while the node was down begins above what the state machine applied,
     * with no snapshot in between: entries are missing, and Ratis would spin on the first of them forever
     * (TributaryNode#checkRaftLogHeads, found by the Jepsen disk nemesis). Seen here, from the segment names, before
     * Ratis loads the log, so the node can set this copy aside.
     *
     * @param appliedIndex the last index the state machine applied (-1: none).
     */
    void checkRaftLogHead(final Path raftCurrentDir, final long appliedIndex) throws IOException
    {
        long firstIndex = Long.MAX_VALUE;
        try (Stream<Path> files = Files.list(raftCurrentDir))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final Matcher m = SEGMENT.matcher(file.getFileName().toString());
                if (m.matches() && Files.size(file) > 0)
                {
                    firstIndex = Math.min(firstIndex, Long.parseLong(m.group(1)));
                }
            }
        }
        if (firstIndex != Long.MAX_VALUE && firstIndex > appliedIndex + 1)
        {
            throw new DamagedReplicaException(groupId.getUuid(), "the Raft log of " + groupId + " begins at index "
                + firstIndex + " but its state machine has applied up to index " + appliedIndex + " and no snapshot"
                + " covers the entries between: they are missing (a log segment was cut or lost under "
                + raftCurrentDir + ")", null);
        }
    }

    /** A new, empty log in the staging folder beside the shard's (any earlier staging copy deleted). */
    ShardLog openStaging()
    {
        final Path staging = stagingDirectory();
        IoUtil.delete(staging.toFile(), false);
        return ShardLog.open(config.copyTo(staging));
    }

    /** Where the staged log writes its own state, which the installed log opens from. */
    Path stagedStateFile()
    {
        return stagingDirectory().resolve(ShardLog.CLEAN_SHUTDOWN_FILE);
    }

    /**
     * Puts the complete staged log in the shard's place (the shard's log must be closed) and opens it. Two renames; a
     * crash between them is undone at the next open ({@link #recoverInterruptedInstall}).
     */
    ShardLog swapInStaged() throws IOException
    {
        final Path directory = config.directory();
        final Path old = oldDirectory();
        IoUtil.delete(old.toFile(), false);
        Files.move(directory, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(stagingDirectory(), directory, StandardCopyOption.ATOMIC_MOVE);
        IoUtil.delete(old.toFile(), false);
        return ShardLog.open(config);
    }

    /**
     * Finishes or undoes an install from a peer that a crash interrupted: the shard's folder was renamed aside but the
     * staging one not yet into place (the old log comes back, and Ratis notifies the catch-up again), or leftovers of
     * either. Called first when the log opens, before anything looks at the shard's folder.
     */
    void recoverInterruptedInstall() throws IOException
    {
        final Path directory = config.directory();
        final Path old = oldDirectory();
        if (!Files.exists(directory) && Files.exists(old))
        {
            Files.move(old, directory, StandardCopyOption.ATOMIC_MOVE);
            LOG.warn("{} put back shard log {}: an install from a peer was interrupted before its new log took its "
                + "place", member, directory);
        }
        IoUtil.delete(old.toFile(), false);
        IoUtil.delete(stagingDirectory().toFile(), false);
    }

    /** Deletes the shard's folder (the log closed): the group left this node. A failure is logged, not thrown. */
    void delete()
    {
        final Path directory = config.directory();
        IoUtil.delete(directory.toFile(), error -> LOG.error("{} could not delete the removed shard log {}; delete it "
            + "by hand", member, directory, error));
        if (!Files.exists(directory))
        {
            LOG.info("{} removed shard log {}", member, directory);
        }
    }

    private Path stagingDirectory()
    {
        return config.directory().resolveSibling(config.directory().getFileName() + ".install");
    }

    private Path oldDirectory()
    {
        return config.directory().resolveSibling(config.directory().getFileName() + ".replaced");
    }
}
