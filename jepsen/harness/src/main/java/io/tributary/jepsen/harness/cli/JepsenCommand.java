package io.tributary.jepsen.harness.cli;

import io.tributary.jepsen.cli.Quantities;
import io.tributary.jepsen.harness.Fault;
import io.tributary.jepsen.harness.JepsenRun;
import io.tributary.jepsen.harness.RunOptions;
import io.tributary.jepsen.harness.check.RunChecks;
import io.tributary.jepsen.harness.check.RunVerdict;
import io.tributary.jepsen.internal.Json;
import io.tributary.raft.node.RaftSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tributary jepsen}: starts a cluster of node processes (in network namespaces when run as
 * root), runs a workload against it while the nemesis injects faults, heals them, reads
 * everything back and checks the history. Exit 0 when every checker finds the history valid, 1
 * when any does not (or cannot decide), 64 on bad options, 70 when the run itself failed (the
 * cluster did not start, ...).
 */
@Command(name = "jepsen", sortOptions = false, exitCodeOnInvalidInput = JepsenCommand.EXIT_BAD_INPUT,
    exitCodeOnExecutionException = JepsenCommand.EXIT_RUN_FAILED,
    description = {"Runs a workload against a real cluster under faults and checks the history.",
        "Exit 0 when every checker is valid, 1 when any is not (or is unknown)."})
public final class JepsenCommand implements Callable<Integer>
{
    static final int EXIT_VALID = 0;
    static final int EXIT_INVALID = 1;
    static final int EXIT_BAD_INPUT = 64;
    static final int EXIT_RUN_FAILED = 70;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Option(names = "--workload", paramLabel = "register|log", defaultValue = "register", description = "register: a "
        + "register per key (write, cas by conditional append, linearizable read), checked for linearizability per "
        + "key; log: appends of unique values and range reads (linearizable and follower), checked for lost, "
        + "duplicated, reordered and stale records. Default: ${DEFAULT-VALUE}.")
    private String workload;

    @Option(names = "--nemesis", paramLabel = "FAULTS", defaultValue =
        "kill,pause,partition,loss,disk,membership,transfer",
        description = "Comma-separated faults: kill, pause, partition, loss, disk, membership, transfer, fuzz, streams "
            + "(another stream created and deleted), metadata (kill -9 of the metadata leader), skew (a node's wall "
                + "clock minutes off, by libfaketime); all or none. Default: ${DEFAULT-VALUE}.")
    private String nemesis;

    @Option(names = "--nodes", defaultValue = "5", description = "Node processes. Default: ${DEFAULT-VALUE}.")
    private int nodes;

    @Option(names = "--time", paramLabel = "DURATION", defaultValue = "120s", description = "How long operations and "
        + "faults run before the heal and the final reads, e.g. 90s, 2m. Default: ${DEFAULT-VALUE}.")
    private String time;

    @Option(names = "--rate", defaultValue = "200", description = "Operations per second over all clients. Default: "
        + "${DEFAULT-VALUE}.")
    private double rate;

    @Option(names = "--concurrency", defaultValue = "10", description = "Client processes. Default: ${DEFAULT-VALUE}.")
    private int concurrency;

    @Option(names = "--shards", defaultValue = "3", description = "Shards of the stream under test (3 replicas each). "
        + "Default: ${DEFAULT-VALUE}.")
    private int shards;

    @Option(names = "--keys", defaultValue = "8", description =
        "Registers in use at a time (register workload; a fresh "
        + "set every 15 s, so each key's history stays checkable). Default: ${DEFAULT-VALUE}.")
    private int keys;

    @Option(names = "--seed", description = "Drives the fault schedule and the clients' choices; the same seed replays "
        + "the same schedule. Default: random (printed).")
    private Long seed;

    @Option(names = "--out", paramLabel = "DIR", description =
        "The run's folder. Default: jepsen-runs/<workload>-<time>.")
    private Path out;

    @Option(names = "--transport", defaultValue = RaftSettings.DEFAULT_TRANSPORT, description = "aeron, grpc or "
        + "netty. Default: ${DEFAULT-VALUE}.")
    private String transport;

    @Option(names = "--check-timeout", paramLabel = "DURATION", defaultValue = "300s", description = "Bound of the "
        + "linearizability check. Default: ${DEFAULT-VALUE}.")
    private String checkTimeout;

    @Option(names = "--no-namespaces", description = "Run on loopback even as root (process faults only).")
    private boolean noNamespaces;

    @Option(names = "--faults-at-once", defaultValue = "1", description =
        "How many faults may be in effect at the same time (1-3), e.g. 2 for a partition during a kill; two of one "
        + "kind, or two network faults, never overlap. Default: ${DEFAULT-VALUE}.")
    private int faultsAtOnce;

    @Option(names = "--snapshot-entries", defaultValue = "0", paramLabel = "N", description =
        "Nodes snapshot every N Raft "
        + "entries and purge their logs behind it (purge gap N/10), so followers catch up from snapshots. 0: the node "
        + "default (100000). Default: ${DEFAULT-VALUE}.")
    private long snapshotEntries;

    @Option(names = "--retention-bytes", defaultValue = "-1", paramLabel = "BYTES", description =
        "Retention per shard of "
        + "the stream under test (shard files roll every second, so retention deletes within a run; without "
        + "--snapshot-entries nodes snapshot every 500 entries). -1: none. Default: ${DEFAULT-VALUE}.")
    private long retentionBytes;

    @Option(names = "--recheck", paramLabel = "DIR", description = "Runs nothing: checks the history of an earlier "
        + "run folder again and rewrites its results.json and plots (the workload is read from its results.json).")
    private Path recheck;

    @Option(names = "--node-config", paramLabel = "KEY=VALUE", description = "An extra node setting, repeatable; e.g. "
        + "the test-only fault switches test.fault.reads-without-readindex=true.")
    private Map<String, String> nodeConfig = new LinkedHashMap<>();

    @SuppressWarnings("unchecked")
    private int recheck() throws IOException
    {
        final Path results = recheck.resolve(RunChecks.RESULTS_FILE);
        final Path history = recheck.resolve("history.jsonl");
        if (!Files.exists(history) || !Files.exists(results))
        {
            spec.commandLine().getErr().println("tributary jepsen: --recheck " + recheck + " has no history.jsonl "
                + "and results.json; give the folder of a run");
            return EXIT_BAD_INPUT;
        }
        final Object parsed = Json.parse(Files.readString(results));
        final Map<String, Object> previous = parsed instanceof Map ? (Map<String, Object>)parsed : Map.of();
        final Object run = previous.get("run");
        final Map<String, Object> runInfo = run instanceof Map ? new LinkedHashMap<>((Map<String, Object>)run)
            : new LinkedHashMap<>();
        final String runWorkload = String.valueOf(previous.getOrDefault("workload", workload));
        final RunVerdict verdict = RunChecks.checkAndWrite(recheck, history, runWorkload, runInfo,
            Quantities.duration(checkTimeout, "--check-timeout"));
        System.out.println(verdict.summary());
        return verdict.valid() ? EXIT_VALID : EXIT_INVALID;
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new JepsenCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        if (recheck != null)
        {
            return recheck();
        }
        final RunOptions options;
        try
        {
            if (!RaftSettings.isTransport(transport))
            {
                throw new IllegalArgumentException("--transport must be one of " + RaftSettings.TRANSPORTS + ", got '"
                    + transport + "'");
            }
            final long runSeed = seed != null ? seed : new SecureRandom().nextLong() & Long.MAX_VALUE;
            final Path folder = out != null ? out : Path.of("jepsen-runs", workload + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            options = new RunOptions(workload, Fault.parse(nemesis), nodes, Quantities.duration(time, "--time"), rate,
                concurrency, shards, keys, runSeed, folder, transport, nodeConfig,
                Quantities.duration(checkTimeout, "--check-timeout"), !noNamespaces, faultsAtOnce, snapshotEntries,
                retentionBytes);
        }
        catch (final IllegalArgumentException e)
        {
            spec.commandLine().getErr().println("tributary jepsen: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return EXIT_BAD_INPUT;
        }
        final RunVerdict verdict;
        try
        {
            verdict = new JepsenRun(options, System.out).run();
        }
        catch (final IllegalArgumentException e)
        {
            spec.commandLine().getErr().println("tributary jepsen: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return EXIT_BAD_INPUT;
        }
        catch (final IOException e)
        {
            // The run itself failed (the cluster did not start, a phase did not finish): no verdict.
            spec.commandLine().getErr().println("tributary jepsen: the run failed, no verdict: " + e.getMessage()
                + " (seed " + options.seed() + ", run folder " + options.out() + ")");
            spec.commandLine().getErr().flush();
            return EXIT_RUN_FAILED;
        }
        System.out.println((verdict.valid() ? "valid" : verdict.verdict()) + " (seed " + options.seed()
            + ", results in " + options.out().resolve("results.json") + ")");
        return verdict.valid() ? EXIT_VALID : EXIT_INVALID;
    }
}
