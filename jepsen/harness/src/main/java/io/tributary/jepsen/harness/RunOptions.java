package io.tributary.jepsen.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * One harness run's parameters.
 *
 * @param workload       register or log
 * @param faults         the nemesis's fault kinds (empty: none)
 * @param nodes          node processes (at least 3)
 * @param time           how long operations and faults run, before the heal and final reads
 * @param rate           operations per second, over all client processes
 * @param concurrency    client processes (threads)
 * @param shards         shards of the stream under test (replication factor 3)
 * @param keys           registers (register workload)
 * @param seed           drives the fault schedule and every client's choices
 * @param out            the run's folder: history, results, plots, node logs
 * @param transport      aeron, grpc or netty
 * @param nodeConfig     extra node settings (the test-only fault switches among them)
 * @param checkTimeout   bound of the linearizability check
 * @param useNamespaces  false forces loopback (process faults only)
 * @param faultsAtOnce   how many faults may be in effect at the same time (1-3)
 * @param snapshotEntries the nodes' {@code snapshot.auto.entries} (0: the node default), with a Raft log purge gap
 *                       of a tenth of it, so runs snapshot, purge, and catch followers up after a purge
 * @param retentionBytes the stream's retention per shard (-1: none); shard files then roll every second
 *                       ({@code TEST_SECONDLY}) so retention has whole files to delete within a run
 */
public record RunOptions(String workload, Set<Fault> faults, int nodes, Duration time, double rate, int concurrency,
    int shards, int keys, long seed, Path out, String transport, Map<String, String> nodeConfig, Duration checkTimeout,
    boolean useNamespaces, int faultsAtOnce, long snapshotEntries, long retentionBytes)
{
    public static final String REGISTER = "register";
    public static final String LOG = "log";

    public RunOptions
    {
        if (!REGISTER.equals(workload) && !LOG.equals(workload))
        {
            throw new IllegalArgumentException("--workload must be register or log, got '" + workload + "'");
        }
        if (nodes < 3)
        {
            throw new IllegalArgumentException("--nodes must be at least 3 (shards have 3 replicas), got " + nodes);
        }
        if (time.isNegative() || time.isZero())
        {
            throw new IllegalArgumentException("--time must be positive, got " + time);
        }
        if (!(rate > 0))
        {
            throw new IllegalArgumentException("--rate must be > 0 operations/s, got " + rate);
        }
        if (concurrency < 1 || shards < 1 || keys < 1)
        {
            throw new IllegalArgumentException("--concurrency, --shards and --keys must be >= 1, got " + concurrency
                + ", " + shards + ", " + keys);
        }
        if (faultsAtOnce < 1 || faultsAtOnce > 3)
        {
            throw new IllegalArgumentException("--faults-at-once must be 1, 2 or 3, got " + faultsAtOnce);
        }
        if (snapshotEntries != 0 && snapshotEntries < 10)
        {
            throw new
                IllegalArgumentException("--snapshot-entries must be at least 10 (or 0 for the node default), got "
                + snapshotEntries);
        }
        if (retentionBytes != -1 && retentionBytes < 1)
        {
            throw new IllegalArgumentException("--retention-bytes must be positive (or -1 for none), got "
                + retentionBytes);
        }
        if (retentionBytes != -1 && REGISTER.equals(workload))
        {
            throw new
                IllegalArgumentException("--retention-bytes needs --workload log: a register's value is its key's "
                + "latest record, which retention may delete");
        }
        faults = Set.copyOf(faults);
        nodeConfig = Map.copyOf(nodeConfig);
    }

    /** One fault at a time, node snapshot defaults, no retention. */
    public RunOptions(final String workload, final Set<Fault> faults, final int nodes, final Duration time,
        final double rate,
        final int concurrency, final int shards, final int keys, final long seed, final Path out,
            final String transport,
        final Map<String, String> nodeConfig, final Duration checkTimeout, final boolean useNamespaces)
    {
        this(workload, faults, nodes, time, rate, concurrency, shards, keys, seed, out, transport, nodeConfig,
            checkTimeout,
            useNamespaces, 1, 0, -1);
    }

    /** The fault set parsed from the command line's --nemesis. */
    public static Set<Fault> parseFaults(final String text)
    {
        return Fault.parse(text);
    }
}
