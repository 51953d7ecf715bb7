package io.tributary.bench.compare;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import io.tributary.bench.load.Durations;
import io.tributary.protocol.ExitCodes;

import org.agrona.IoUtil;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tributary bench compare-transports}: the same workload on a fresh local 3-node cluster
 * per run, once per Raft transport (Aeron, gRPC, Netty), in one invocation. Each run is a child
 * {@code bin/tributary bench --local --transport T} (fresh JVMs, fresh data); runs are interleaved
 * (run 1 of every transport, then run 2...) so a change in the machine's load spreads over all;
 * the table shows medians. Experiments: produce latency at each of {@code --rates} (open loop,
 * coordinated omission corrected) and maximum throughput (closed loop). Writes a results folder
 * and the section of docs/benchmarks.md between the compare-transports markers, with the goals
 * of issue #6 checked (Aeron p99 at most 1/3 of gRPC's, max throughput at least 2x).
 */
@Command(name = "compare-transports", mixinStandardHelpOptions = true, sortOptions = false,
    description =
        "Run the same workload over each Raft transport (aeron, grpc, netty), a fresh local 3-node cluster per run: "
        + "produce latency at each --rates rate and maximum throughput; the median of --runs runs, interleaved. "
        + "Prints a table with Aeron's ratios to gRPC and writes it into --docs. Options it does not know go to every "
        + "run unchanged.")
public final class CompareTransports implements Callable<Integer>
{
    static final String START_MARKER = "<!-- compare-transports:start -->";
    static final String END_MARKER = "<!-- compare-transports:end -->";
    static final String HEADING = "## Transports side by side (`bench compare-transports`)";
    /** A transport named with this suffix runs with TLS 1.3 on every link ({@code bench --local --secure}). */
    static final String TLS_SUFFIX = "+tls";
    static final String TLS_START_MARKER = "<!-- compare-tls:start -->";
    static final String TLS_END_MARKER = "<!-- compare-tls:end -->";
    static final String TLS_HEADING = "## TLS on and off (`bench compare-transports` with `+tls`)";
    private static final Duration RUN_SLACK = Duration.ofMinutes(4);

    @Option(names = "--transports", split = ",", defaultValue = "aeron,grpc,netty",
        description = "Transports, in run order (default ${DEFAULT-VALUE}); one named with +tls (aeron+tls) runs "
            + "with TLS 1.3 on every link, and the table then gives its ratios to the plain one.")
    List<String> transports;

    @Option(names = "--rates", split = ",", defaultValue = "5000,20000",
        description = "Records/s of the fixed-rate experiments; empty for none (default ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--max", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Also measure maximum throughput (default ${DEFAULT-VALUE}).")
    boolean max;

    @Option(names = "--durability", defaultValue = "fsync", description =
        "fsync or nofsync, the same for every run (default ${DEFAULT-VALUE}).")
    String durability;

    @Option(names = "--duration", defaultValue = "30s", description =
        "Measured time of each run (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--warmup", defaultValue = "15s", description =
        "Warm-up of each run, not counted (default ${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--out", description =
        "Results folder (default docs/bench/transports-<UTC date and time> in the repository).")
    Path out;

    @Option(names = "--docs", description =
        "Markdown file whose compare-transports section is replaced when every run succeeded (default "
        + "docs/benchmarks.md).")
    Path docs;

    @Option(names = "--work", description =
        "Data folder of the clusters, wiped per run (default bench/target/compare-transports-work).")
    Path work;

    @Mixin
    final ComparisonOptions common = new ComparisonOptions();

    @Unmatched
    List<String> passThrough = new ArrayList<>();

    @Spec
    CommandSpec spec;

    private PrintWriter console;
    private Path repo;
    private volatile Process current;

    /** One experiment: a fixed rate, or maximum throughput (rate 0). */
    record Experiment(String mode, int rate)
    {
        String id()
        {
            return mode.equals("max") ? "max" : "rate-" + rate;
        }

        String title()
        {
            return mode.equals("max") ? "maximum throughput" : String.format(Locale.ROOT, "%,d records/s", rate);
        }
    }

    /** One child run. */
    record Run(String transport, Experiment experiment, int index, Path dir)
    {
        String label()
        {
            return transport + " " + experiment.id() + " run " + index;
        }
    }

    /** A finished run: its summary (null if it failed), why it failed (null if not), the machine's load. */
    record Result(Run run, RunSummary summary, String error, MachineLoad.Sample load, double seconds)
    {
        boolean ok()
        {
            return error == null && summary != null;
        }
    }

    @Override
    public Integer call() throws Exception
    {
        console = spec.commandLine().getOut();
        validate();
        resolvePaths();
        final List<Run> plan = plan();
        if (common.dryRun)
        {
            plan.forEach(run -> console.println(run.label() + ": " + String.join(" ", command(run))));
            console.flush();
            return 0;
        }
        Files.createDirectories(out);
        final long perRunSeconds = Durations.parse(duration, "--duration").toSeconds()
            + Durations.parse(warmup, "--warmup").toSeconds() + 25;
        console.printf(Locale.ROOT, "compare-transports: %d runs (about %d min), one at a time; results in %s%n",
            plan.size(),
            Math.max(1, plan.size() * perRunSeconds / 60), out);
        console.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(this::terminateCurrent, "compare-transports-shutdown"));
        final List<Result> results = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++)
        {
            results.add(execute(plan.get(i), i + 1, plan.size()));
        }
        final long failed = results.stream().filter(r -> !r.ok()).count();
        report(results, failed);
        if (failed > 0)
        {
            console.printf("%d of %d runs failed: see the lines marked FAILED above and output.log in their folders%n",
                failed, results.size());
        }
        else
        {
            IoUtil.delete(work.toFile(), false);
        }
        console.flush();
        return failed == 0 ? 0 : 1;
    }

    private void validate()
    {
        Durations.parse(duration, "--duration");
        Durations.parse(warmup, "--warmup");
        for (final String transport : transports)
        {
            if (!List.of("aeron", "grpc", "netty").contains(baseTransport(transport)))
            {
                throw new IllegalArgumentException("--transports lists '" + transport
                    + "'; use aeron, grpc and/or netty, each with or without +tls (aeron+tls)");
            }
        }
        if (transports.stream().distinct().count() != transports.size())
        {
            throw new IllegalArgumentException("--transports lists a transport twice: " + transports);
        }
        common.validate();
        if (rates.stream().anyMatch(r -> r < 1))
        {
            throw new IllegalArgumentException("--rates must be >= 1; were " + rates);
        }
        if (!durability.equals("fsync") && !durability.equals("nofsync"))
        {
            throw new IllegalArgumentException("--durability must be fsync or nofsync, was '" + durability + "'");
        }
        if (rates.isEmpty() && !max)
        {
            throw new IllegalArgumentException("nothing to run: give --rates or leave --max on");
        }
        for (final String reserved : List.of("--mode", "--rate", "--out", "--seed", "--durability", "--local",
            "--cluster", "--transport", "--data", "--secure"))
        {
            if (passThrough.stream().anyMatch(a -> a.equals(reserved) || a.startsWith(reserved + "=")))
            {
                throw new IllegalArgumentException(reserved
                    + " is set by compare-transports for every run; leave it out");
            }
        }
    }

    private void resolvePaths()
    {
        repo = ChildRun.repositoryRoot();
        if (out == null)
        {
            out = repo.resolve("docs/bench/transports-" + ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm")));
        }
        docs = (docs != null ? docs : repo.resolve("docs/benchmarks.md")).toAbsolutePath().normalize();
        work = (work != null ? work : repo.resolve("bench/target/compare-transports-work")).toAbsolutePath()
            .normalize();
        out = out.toAbsolutePath().normalize();
    }

    /** The transport's name without {@link #TLS_SUFFIX}. */
    static String baseTransport(final String transport)
    {
        return transport.endsWith(TLS_SUFFIX) ? transport.substring(0, transport.length() - TLS_SUFFIX.length())
            : transport;
    }

    List<Experiment> experiments()
    {
        final List<Experiment> experiments = new ArrayList<>();
        rates.stream().distinct().forEach(rate -> experiments.add(new Experiment("rate", rate)));
        if (max)
        {
            experiments.add(new Experiment("max", 0));
        }
        return experiments;
    }

    private List<Run> plan()
    {
        final List<Run> plan = new ArrayList<>();
        for (final Experiment experiment : experiments())
        {
            for (int index = 1; index <= common.runs; index++)
            {
                for (final String transport : transports)
                {
                    plan.add(new Run(transport, experiment, index, out.resolve(experiment.id()).resolve(transport)
                        .resolve("run-" + index)));
                }
            }
        }
        return plan;
    }

    List<String> command(final Run run)
    {
        final List<String> command = new ArrayList<>(Arrays.asList(
            (common.tributaryCommand != null ? common.tributaryCommand : repo.resolve("bin/tributary").toString())
                .trim()
                .split("\\s+")));
        command.addAll(List.of("bench", "--local", "--transport", baseTransport(run.transport()), "--durability",
            durability,
            "--data", work.toString(), "--mode", run.experiment().mode(), "--size", Integer.toString(common.sizeBytes),
            "--shards", Integer.toString(common.shards), "--duration", duration, "--warmup", warmup,
            "--seed", Long.toString(common.seed + run.index() - 1), "--out", run.dir().toString()));
        if (run.experiment().mode().equals("rate"))
        {
            command.addAll(List.of("--rate", Integer.toString(run.experiment().rate())));
        }
        if (run.transport().endsWith(TLS_SUFFIX))
        {
            command.add("--secure");
        }
        command.addAll(passThrough);
        return command;
    }

    private Result execute(final Run run, final int number, final int total) throws Exception
    {
        IoUtil.delete(run.dir().toFile(), false);
        Files.createDirectories(run.dir());
        console.printf("[%d/%d] %s...%n", number, total, run.label());
        console.flush();
        final long startNs = System.nanoTime();
        final MachineLoad load = MachineLoad.start();
        final Path output = run.dir().resolve("output.log");
        String error = null;
        RunSummary summary = null;
        try
        {
            final Duration timeout = Durations.parse(duration, "--duration").plus(Durations.parse(warmup, "--warmup"))
                .multipliedBy(2)
                .plus(RUN_SLACK);
            final Process process = ChildRun.start(command(run), repo, output);
            current = process;
            if (!ChildRun.await(process, timeout))
            {
                error = "did not finish within " + timeout.toSeconds() + " s and was stopped; " + ChildRun.tail(output);
            }
            else if (process.exitValue() == ExitCodes.USAGE)
            {
                load.stop();
                throw new IllegalArgumentException(run.label()
                    + ": the command line was refused, and every other run would be too; " + ChildRun.tail(output));
            }
            else if (process.exitValue() != 0)
            {
                error = "exited with code " + process.exitValue() + "; " + ChildRun.tail(output);
            }
            else
            {
                summary = RunSummary.read(run.dir().resolve("summary.json"));
            }
        }
        catch (final IOException e)
        {
            error = e.getMessage();
        }
        finally
        {
            current = null;
        }
        if (error != null)
        {
            keepNodeLogs(run.dir());
        }
        final Result result = new Result(run, summary, error, load.stop(), (System.nanoTime() - startNs) / 1e9);
        if (result.ok())
        {
            console.printf(Locale.ROOT, "    %s (%.0f s, cpu %.0f%%)%n", summary.oneLine(), result.seconds(),
                result.load().cpuBusyPercentMean());
        }
        else
        {
            console.printf(Locale.ROOT, "    FAILED after %.0f s: %s%n", result.seconds(), error);
        }
        console.flush();
        return result;
    }

    /** A failed run's node logs, before the next run wipes the data folder. */
    private void keepNodeLogs(final Path runDir)
    {
        try (var files = Files.list(work))
        {
            for (final Path log : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList())
            {
                Files.copy(log, runDir.resolve("node-" + log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        catch (final IOException e)
        {
            console.printf("    (node logs not kept: %s)%n", e.getMessage());
        }
    }

    private void report(final List<Result> results, final long failed) throws IOException
    {
        final TransportTable table = new TransportTable(transports, experiments(), results);
        final String markdown = section(table);
        console.println();
        console.println(markdown);
        Files.writeString(out.resolve("results.md"), markdown + "\n" + table.perRun(), StandardCharsets.UTF_8);
        if (common.noDocs)
        {
            return;
        }
        if (table.anyCellEmpty())
        {
            console.printf("%s not updated: some transport has no successful run of some experiment; written: %s%n",
                docs, out);
            return;
        }
        // A comparison with TLS has a section of its own, so it does not replace the transports' table.
        final boolean tls = transports.stream().anyMatch(t -> t.endsWith(TLS_SUFFIX));
        final String start = tls ? TLS_START_MARKER : START_MARKER;
        final String end = tls ? TLS_END_MARKER : END_MARKER;
        final String existing = Files.exists(docs) ? Files.readString(docs, StandardCharsets.UTF_8) : "# Benchmarks\n";
        Files.writeString(docs, ChildRun.replaceSection(existing, markdown, tls ? TLS_HEADING : HEADING, start, end),
            StandardCharsets.UTF_8);
        console.printf("written: %s (section between %s and %s), %s%n", docs, start, end, out);
    }

    private String section(final TransportTable table)
    {
        final String date = ZonedDateTime.now(ZoneOffset.UTC)
            .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        return "Measured " + date + " on this machine (" + Runtime.getRuntime().availableProcessors()
            + " cores): a fresh local"
            + " 3-node cluster per run (node processes on loopback), " + common.shards + " shards, RF 3, "
                + common.sizeBytes + "-byte values,"
            + " durability " + durability + ", " + warmup + " warm-up then " + duration + " measured, median of "
                + common.runs
            + " interleaved runs. Latency is produce latency (send to acknowledgement) from each record's intended "
                + "send time"
            + " (coordinated omission corrected), in milliseconds. Results: `" + repo.relativize(out) + "`.\n\n"
            + "```\n" + commandLine() + "\n```\n\n" + table.markdown() + "\n" + table.goals() + table.failures();
    }

    String commandLine()
    {
        final List<String> all = spec.commandLine().getParseResult().originalArgs();
        // Launched as a subcommand, the arguments start with the parents' ("bench compare-transports").
        final List<String> args = all.subList(all.indexOf("compare-transports") + 1, all.size());
        return "bin/tributary bench compare-transports" + args.stream()
            .map(a -> " " + (a.matches("[A-Za-z0-9_./:=,@+-]+") ? a : "'" + a + "'")).collect(Collectors.joining());
    }

    private void terminateCurrent()
    {
        final Process process = current;
        if (process != null)
        {
            ChildRun.terminate(process);
        }
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new CompareTransports()).execute(args));
    }
}
