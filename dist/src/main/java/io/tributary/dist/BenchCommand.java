package io.tributary.dist;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.tributary.bench.compare.CompareTransports;
import io.tributary.bench.load.CostModelCommand;
import io.tributary.bench.load.LoadOptions;
import io.tributary.bench.load.LoadRun;
import io.tributary.bench.load.LoadSummary;
import io.tributary.bench.load.TributarySystem;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tributary bench}: the load generator against a running cluster ({@code --cluster}) or a
 * local 3-node cluster it starts and stops ({@code --local}, the default when no cluster is
 * named). Prints progress every second and, last, a one-line summary; writes the results folder.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Measure produce (and end-to-end) latency at a fixed rate with coordinated omission corrected,",
        "maximum throughput, or consumer catch-up; against a running cluster or a local one.",
        "Writes summary.json, HdrHistogram interval logs (.hlog), percentile distributions (.hgrm),",
        "percentile, latency-over-time and throughput-over-time plots (.svg) and report.html into --out.",
        "Also reports Raft entries/s and records per entry, CPU us per record (load generator and, with --local,",
        "every node), machine busy and JIT shares; 'bench cost-model DIR...' fits the write path's cost model to "
            + "runs."},
    subcommands = {CompareKafkaCommand.class, CompareTransports.class,
        CostModelCommand.class})
public final class BenchCommand implements Callable<Integer>
{
    @Mixin
    LoadOptions load;

    @Option(names = "--cluster", paramLabel = "ID@HOST:PORT,...",
        description = "A running cluster's metadata quorum (default: $TRIBUTARY_CLUSTER, else --local).")
    String cluster;

    @Option(names = "--local", description =
        "Start a local 3-node cluster (node processes on loopback) for the run, then stop it.")
    boolean local;

    @Option(names = "--durability", description =
        "With --local: fsync (default) or nofsync. A running cluster uses its nodes' setting.")
    String durability;

    @Option(names = "--data", defaultValue = "data/bench", description =
        "With --local: data folder, wiped at start (default ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--secure", description = "With --local: TLS 1.3 on every link, certificates of a dev CA "
        + "written under the data folder (docs/security.md).")
    boolean secure;

    @picocli.CommandLine.Mixin
    TransportOption transport;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final String peers = cluster != null ? cluster : System.getenv("TRIBUTARY_CLUSTER");
        if (local && cluster != null)
        {
            throw new IllegalArgumentException("--local and --cluster exclude each other: pick one");
        }
        if (!local && peers != null && !peers.isBlank())
        {
            if (durability != null)
            {
                throw new
                    IllegalArgumentException("--durability applies to --local only: a running cluster acknowledges as "
                    + "its" + " nodes are configured (node setting 'durability')");
            }
            return report(out, LoadRun.run(new TributarySystem(peers, transport.transport(), out), load,
                "as-configured", out));
        }
        final String mode = durability == null ? "fsync" : durability;
        if (!mode.equals("fsync") && !mode.equals("nofsync"))
        {
            throw new IllegalArgumentException("--durability must be fsync or nofsync, was '" + durability + "'");
        }
        load.validate();
        final LoadSummary summary;
        try (DevCommand.DevCluster dev = DevCommand.DevCluster.start(data, 3, mode, transport.transport(), secure,
            out))
        {
            summary = LoadRun.run(new TributarySystem(dev.endpoints(), dev.transport(), dev.clientTls, out), load,
                secure ? mode + "+tls" : mode, out,
                dev.cluster.processes().pids());
            out.println("stopping the local cluster...");
            out.flush();
        }
        return report(out, summary);
    }

    private static int report(final PrintWriter out, final LoadSummary summary)
    {
        out.println(summary.oneLine());
        out.flush();
        return summary.acknowledged() > 0 ? 0 : 1;
    }
}
