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
 */
public record RunOptions(String workload, Set<Fault> faults, int nodes, Duration time, double rate, int concurrency,
    int shards, int keys, long seed, Path out, String transport, Map<String, String> nodeConfig, Duration checkTimeout,
    boolean useNamespaces)
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
            throw new IllegalArgumentException("--concurrency, --shards and --keys must be >= 1, got " + concurrency + ", "
                + shards + ", " + keys);
        }
        faults = Set.copyOf(faults);
        nodeConfig = Map.copyOf(nodeConfig);
    }

    /** The fault set parsed from the command line's --nemesis. */
    public static Set<Fault> parseFaults(final String text)
    {
        return Fault.parse(text);
    }
}
