package io.tributary.raft.storage;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The free space a node keeps on its data disk. Below the reserve the node refuses new writes
 * (DISK_FULL, retriable) rather than let a Raft log segment or a mapped Chronicle page meet a
 * full disk: Ratis fails a division's log for good on its first write error, and a store into a
 * mapped page that the filesystem cannot back is a SIGBUS. Writes resume once the free space is
 * back above the reserve plus a tenth of it (so they do not flap at the boundary). Reads never
 * depend on it.
 *
 * <p>The usable space is read by {@link #refresh()} (one statfs) on the node's timer, and the
 * admission check reads a volatile: the reserve must cover what the node can write between two
 * refreshes. Thread-safe.
 */
public final class DiskReserve
{
    private static final Logger LOG = LoggerFactory.getLogger(DiskReserve.class);

    private final String nodeId;
    private final Path dataDir;
    private final FileStore store;
    private final long reserveBytes;
    private volatile long usableBytes = Long.MAX_VALUE;
    private volatile boolean low;

    public DiskReserve(final String nodeId, final Path dataDir, final long reserveBytes) throws IOException
    {
        this.nodeId = nodeId;
        this.dataDir = dataDir;
        this.store = Files.getFileStore(dataDir);
        this.reserveBytes = reserveBytes;
        refresh();
    }

    /** Re-reads the usable space of the data disk; logs when writes stop or resume. */
    public void refresh()
    {
        final long usable;
        try
        {
            usable = store.getUsableSpace();
        }
        catch (final IOException e)
        {
            LOG.warn("node {}: cannot read the free space of {} ({}); keeping the last reading", nodeId, dataDir,
                e.toString());
            return;
        }
        usableBytes = usable;
        if (!low && usable < reserveBytes)
        {
            low = true;
            LOG.warn("node {}: {}; refusing writes until it has {} bytes free", nodeId, describe(usable),
                resumeBytes());
        }
        else if (low && usable >= resumeBytes())
        {
            low = false;
            LOG.warn("node {}: data disk {} has {} bytes free again; accepting writes", nodeId, dataDir, usable);
        }
    }

    /** True while writes are refused. */
    public boolean low()
    {
        return low;
    }

    public long usableBytes()
    {
        return usableBytes;
    }

    public long reserveBytes()
    {
        return reserveBytes;
    }

    /** What a refused write is told: which disk, how much is free, how much is needed, what to do. */
    public String refusal()
    {
        return "node " + nodeId + ": " + describe(usableBytes) + "; writes resume at " + resumeBytes()
            + " bytes free: free space on that disk (retention, other files) or grow it; reads go on; retry later";
    }

    private String describe(final long usable)
    {
        return "the data disk " + dataDir + " (" + store.name() + ", " + store.type() + ") has " + usable
            + " bytes free," + " below the " + reserveBytes + " bytes this node keeps free (disk.reserve.bytes)";
    }

    private long resumeBytes()
    {
        return reserveBytes + reserveBytes / 10;
    }
}
