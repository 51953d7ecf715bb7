package io.tributary.raft.node;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jnr.ffi.LibraryLoader;

/**
 * Gives the page cache of the Raft log's written segments back to the kernel (POSIX_FADV_DONTNEED), as
 * BookKeeper does with its journal. The Raft log is a write-ahead log: once an entry is fsynced it is read
 * again only by a follower's catch-up from beyond Ratis's entry cache, or at a restart, both from disk.
 * Keeping it cached doubled each replica's fresh page cache per record (the log, then the shard's Chronicle
 * file). Fresh pages are what this VM charges most for: memory the guest frees is reported to the host, and
 * touching a reported page again costs a host fault (docs/benchmarks.md, "a VM that gives freed memory
 * back"), while pages freed moments ago are handed out again first. Dropping the log's pages as fast as they
 * are written lets the next writes, the log's and the shard's, reuse them.
 * <p>
 * Only durable, complete pages are dropped: closed segments whole, and an open segment up to
 * {@code keepBytes} below its end (Ratis extends a segment with fill bytes ahead of its write position by
 * at most raft.log.preallocated.bytes, so the pages being written stay cached: a partial page written
 * after its page was dropped would first be read back from disk). Dropping is advice: the kernel skips
 * dirty pages (it starts their writeback), so durability is unchanged. Not thread-safe: one timer thread.
 */
final class RaftLogPageCache
{
    private static final Logger LOG = LoggerFactory.getLogger(RaftLogPageCache.class);
    private static final int O_RDONLY = 0;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final long PAGE_BYTES = 4096;
    private static final String OPEN_SEGMENT_PREFIX = "log_inprogress_";
    private static final String SEGMENT_PREFIX = "log_";

    /** The few libc calls needed, through jnr-ffi (already on a node's class path for Chronicle). */
    public interface LibC
    {
        int open(String path, int flags);

        int close(int fd);

        @SuppressWarnings("checkstyle:MethodName") // the C function's own name, which the binding must use
        int posix_fadvise(int fd, long offset, long length, int advice);
    }

    private final Path raftDir;
    private final long keepBytes;
    private final LibC libc;
    /** Open segment file to the offset dropped so far; closed segments dropped once. */
    private final Map<Path, Long> droppedTo = new HashMap<>();
    private final Set<Path> closedDropped = new HashSet<>();
    private long bytesDropped;
    private boolean failureLogged;

    private RaftLogPageCache(final Path raftDir, final long keepBytes, final LibC libc)
    {
        this.raftDir = raftDir;
        this.keepBytes = keepBytes;
        this.libc = libc;
    }

    /** Null (and one log line) where libc cannot be reached: the log then stays cached, as before. */
    static RaftLogPageCache create(final Path raftDir, final long keepBytes)
    {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux"))
        {
            return null;
        }
        try
        {
            return new RaftLogPageCache(raftDir, keepBytes, LibraryLoader.create(LibC.class).load("c"));
        }
        catch (final RuntimeException | LinkageError e)
        {
            LOG.warn("the Raft log's page cache is kept: libc's posix_fadvise is not reachable ({})", e.toString());
            return null;
        }
    }

    /** Bytes advised out of the page cache so far. */
    long bytesDropped()
    {
        return bytesDropped;
    }

    /** One pass over every group's segments; never throws (a group removed meanwhile is skipped). */
    void sweep()
    {
        try (DirectoryStream<Path> groups = Files.newDirectoryStream(raftDir))
        {
            final Set<Path> seen = new HashSet<>();
            for (final Path group : groups)
            {
                final Path current = group.resolve("current");
                if (!Files.isDirectory(current))
                {
                    continue;
                }
                try (DirectoryStream<Path> segments = Files.newDirectoryStream(current, SEGMENT_PREFIX + "*"))
                {
                    for (final Path segment : segments)
                    {
                        seen.add(segment);
                        sweepSegment(segment);
                    }
                }
            }
            droppedTo.keySet().retainAll(seen);
            closedDropped.retainAll(seen);
        }
        catch (final IOException | RuntimeException e)
        {
            if (!failureLogged)
            {
                failureLogged = true;
                LOG.warn("could not drop the Raft log's page cache under {} (logged once): {}", raftDir, e.toString());
            }
        }
    }

    private void sweepSegment(final Path segment) throws IOException
    {
        final boolean open = segment.getFileName().toString().startsWith(OPEN_SEGMENT_PREFIX);
        if (!open && closedDropped.contains(segment))
        {
            return;
        }
        final long size;
        try
        {
            size = Files.size(segment);
        }
        catch (final NoSuchFileException e)
        {
            return;
        }
        final long end = open ? (Math.max(0, size - keepBytes) & ~(PAGE_BYTES - 1)) : size;
        final long from = open ? droppedTo.getOrDefault(segment, 0L) : 0;
        if (end <= from)
        {
            return;
        }
        final int fd = libc.open(segment.toString(), O_RDONLY);
        if (fd < 0)
        {
            return;
        }
        try
        {
            if (libc.posix_fadvise(fd, from, end - from, POSIX_FADV_DONTNEED) != 0)
            {
                return;
            }
        }
        finally
        {
            libc.close(fd);
        }
        bytesDropped += end - from;
        if (open)
        {
            droppedTo.put(segment, end);
        }
        else
        {
            closedDropped.add(segment);
        }
    }
}
