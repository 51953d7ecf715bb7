package io.tributary.bench.kafka;

import io.tributary.bench.compare.ChildRun;
import io.tributary.bench.compare.ComparisonOptions;
import io.tributary.bench.compare.MachineLoad;
import io.tributary.bench.compare.RunSummary;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.tributary.bench.load.Durations;
import io.tributary.bench.load.LoadOptions;
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
 * {@code tributary bench compare-kafka}: the same workload, with matching durability, against
 * Tributary (fsync, nofsync) and Kafka 4.4.0 (acks=all, acks=all with a flush per message), one
 * system at a time. Every run is a child process with a fresh cluster: Tributary's
 * {@code bench --local} starts and stops its own three nodes; for Kafka this class starts three
 * KRaft nodes ({@link KafkaCluster}), runs {@link KafkaBenchMain} and stops them. The runs are
 * interleaved (run 1 of every configuration, then run 2...) so a change in the machine's
 * background load spreads over all of them; each run has its warm-up (--warmup) and the table
 * shows the median of the runs. Writes the results folder, the table, a combined percentile plot,
 * and the section of docs/benchmarks.md between the compare-kafka markers.
 */
@Command(name = "compare-kafka", mixinStandardHelpOptions = true, sortOptions = false,
    description =
        "Run the same workload against Tributary (fsync, nofsync) and Kafka 4.4.0 (acks=all, and acks=all with a "
        + "flush per message; 3 KRaft nodes, RF 3, min ISR 2), one system at a time and a fresh cluster per run: "
        + "latency at a fixed rate, maximum throughput, consumer catch-up; the median of --runs runs. Prints a "
        + "side-by-side table with ratios and the machine's load, and writes it with a percentile plot into --docs. "
        + "Options it does not know go to every run unchanged (load generator options such as --keys, --producers, "
        + "--e2e).")
public final class CompareKafka implements Callable<Integer>
{
    private static final Duration RUN_SLACK = Duration.ofMinutes(5);
    /** What tributary's commands exit with for a usage error (sysexits EX_USAGE); KafkaBenchMain too. */

    @Option(names = "--rate", defaultValue = "20000", description =
        "Records/s in the fixed-rate experiment (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", defaultValue = "60s", description =
        "Measured time of each run (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--warmup", defaultValue = "10s", description =
        "Warm-up of each run, not counted (default ${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--experiments", split = ",", defaultValue = "rate,max,catch-up",
        description =
            "Which of rate (latency at --rate), max (maximum throughput), catch-up (consumer from offset 0) (default "
            + "${DEFAULT-VALUE}).")
    List<String> experimentNames;

    @Option(names = "--configurations", split = ",",
        defaultValue = "tributary-fsync,kafka-acks-all-flush,tributary-nofsync,kafka-acks-all",
        description = "Which systems (default all: ${DEFAULT-VALUE}).")
    List<String> configurationNames;

    @Option(names = "--out", description =
        "Results folder (default docs/bench/compare-<UTC date and time> in the repository).")
    Path out;

    @Option(names = "--docs", description =
        "Markdown file whose compare-kafka section is replaced, when every run succeeded (default docs/benchmarks.md "
        + "in the repository).")
    Path docs;

    @Option(names = "--work", description =
        "Data folders of the clusters, wiped per run (default bench/kafka/target/compare-work).")
    Path work;

    @Option(names = "--kafka-port-base", defaultValue = "" + KafkaCluster.DEFAULT_PORT_BASE,
        description =
            "First Kafka broker port; brokers use base..base+2, controllers base+100..base+102 (default "
            + "${DEFAULT-VALUE}).")
    int kafkaPortBase;

    @Mixin
    final ComparisonOptions common = new ComparisonOptions();

    @Unmatched
    List<String> passThrough = new ArrayList<>();

    @Spec
    CommandSpec spec;

    private PrintWriter console;
    private Path repo;
    private volatile Process current;

    public static void main(final String[] args)
    {
        final CommandLine commandLine = new CommandLine(new CompareKafka());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) ->
        {
            cmd.getErr().println("compare-kafka: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return ExitCodes.FAILED;
        });
        commandLine.setParameterExceptionHandler((e, args2) ->
        {
            e.getCommandLine().getErr().println("compare-kafka: " + e.getMessage() + " (see --help)");
            return ExitCodes.USAGE;
        });
        System.exit(commandLine.execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        console = spec.commandLine().getOut();
        final List<Experiment> experiments = experimentNames.stream().map(Experiment::parse).distinct().toList();
        final List<SystemConfiguration> configurations = orderedConfigurations();
        validate();
        resolvePaths();
        final List<Run> plan = plan(experiments, configurations);
        if (common.dryRun)
        {
            plan.forEach(run -> console.println(run.label() + ": " + String.join(" ", command(run))));
            console.flush();
            return 0;
        }
        checkTributary(configurations);
        Files.createDirectories(out);
        printPlan(plan);
        Runtime.getRuntime().addShutdownHook(new Thread(this::terminateCurrent, "compare-kafka-shutdown"));
        final List<RunResult> results = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++)
        {
            results.add(execute(plan.get(i), i + 1, plan.size()));
        }
        report(results, configurations);
        final long failed = results.stream().filter(r -> !r.ok()).count();
        if (failed == 0)
        {
            // The last run's data (Kafka deletes its own at stop); kept after a failure for its node logs.
            IoUtil.delete(work.resolve("tributary").toFile(), false);
        }
        else
        {
            console.printf("%d of %d runs failed: see the lines marked FAILED above and output.log in their folders%n",
                failed, results.size());
        }
        console.flush();
        return failed == 0 ? 0 : 1;
    }

    /** One child run to do. */
    record Run(SystemConfiguration configuration, Experiment experiment, int index, Path dir)
    {
        String label()
        {
            return configuration.id + " " + experiment.mode + " run " + index;
        }
    }

    private List<SystemConfiguration> orderedConfigurations()
    {
        final List<SystemConfiguration> chosen = configurationNames.stream().map(SystemConfiguration::parse).distinct()
            .toList();
        return Arrays.stream(SystemConfiguration.values()).filter(chosen::contains).toList();
    }

    private void validate()
    {
        Durations.parse(duration, "--duration");
        Durations.parse(warmup, "--warmup");
        common.validate();
        if (rate < 1)
        {
            throw new IllegalArgumentException("--rate must be >= 1; was " + rate);
        }
        for (final String reserved : List.of("--mode", "--out", "--seed", "--durability", "--local", "--cluster",
            "--bootstrap"))
        {
            if (passThrough.stream().anyMatch(a -> a.equals(reserved) || a.startsWith(reserved + "=")))
            {
                throw new IllegalArgumentException(reserved + " is set by compare-kafka for every run; leave it out");
            }
        }
        try
        {
            new CommandLine(new PassThroughCheck()).parseArgs(passThrough.toArray(String[]::new));
        }
        catch (final CommandLine.ParameterException e)
        {
            throw new
                IllegalArgumentException("compare-kafka passes the options it does not know to the load generator of "
                + "every run," + " and it refuses " + passThrough + ": " + e.getMessage()
                + " (see compare-kafka --help and bench --help)");
        }
    }

    /** A child refused its command line: every other run would too, so the comparison stops. */
    static final class RefusedCommandException extends RuntimeException
    {
        RefusedCommandException(final String message)
        {
            super(message);
        }
    }

    /** Only to check the pass-through options before any run: they must be load generator options. */
    @Command
    static final class PassThroughCheck
    {
        @CommandLine.Mixin
        LoadOptions options;
    }

    private void resolvePaths()
    {
        repo = repositoryRoot();
        if (out == null)
        {
            out = repo.resolve("docs/bench/compare-" + ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm")));
        }
        docs = docs != null ? docs : repo.resolve("docs/benchmarks.md");
        work = work != null ? work : repo.resolve("bench/kafka/target/compare-work");
        out = out.toAbsolutePath().normalize();
        docs = docs.toAbsolutePath().normalize();
        work = work.toAbsolutePath().normalize();
    }

    static Path repositoryRoot()
    {
        return ChildRun.repositoryRoot();
    }

    private List<Run> plan(final List<Experiment> experiments, final List<SystemConfiguration> configurations)
    {
        final List<Run> plan = new ArrayList<>();
        for (final Experiment experiment : experiments)
        {
            for (int index = 1; index <= common.runs; index++)
            {
                for (final SystemConfiguration configuration : configurations)
                {
                    plan.add(new Run(configuration, experiment, index,
                        out.resolve(configuration.id).resolve(experiment.mode).resolve("run-" + index)));
                }
            }
        }
        return plan;
    }

    /** The child's command line: Tributary's bench with --local, or KafkaBenchMain on this JVM's classpath. */
    List<String> command(final Run run)
    {
        return command(run, Map.of());
    }

    /**
     * As {@link #command(Run)}; for Kafka, {@code brokerPids} (name to pid) are passed on so that the load generator
     * measures the brokers' CPU time as Tributary's bench measures its nodes'.
     */
    List<String> command(final Run run, final Map<String, Long> brokerPids)
    {
        final List<String> command = new ArrayList<>();
        if (run.configuration().isKafka())
        {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            final Path jvmOptions = repo.resolve("dist/target/jvm.options");
            if (Files.isRegularFile(jvmOptions))
            {
                command.add("@" + jvmOptions); // the same JVM flags as bin/tributary gives Tributary's bench
            }
            command.addAll(List.of("-cp", childClasspath(), KafkaBenchMain.class.getName(),
                "--bootstrap", bootstrap(), "--durability-label", run.configuration().durability));
            if (!brokerPids.isEmpty())
            {
                command.addAll(List.of("--broker-pids", brokerPids.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","))));
            }
        }
        else
        {
            command.addAll(Arrays.asList(tributaryCommand().trim().split("\\s+")));
            command.addAll(List.of("bench", "--local", "--durability", run.configuration().durability,
                "--data", work.resolve("tributary").toString()));
        }
        command.addAll(List.of("--mode", run.experiment().mode, "--rate", Integer.toString(rate), "--size",
            Integer.toString(common.sizeBytes), "--shards", Integer.toString(common.shards), "--duration", duration,
                "--warmup",
                warmup,
            "--seed", Long.toString(common.seed + run.index() - 1), "--out", run.dir().toString()));
        command.addAll(passThrough);
        return command;
    }

    /** This JVM's classpath with absolute paths, the jars of the Kafka lib folder as one {@code lib/*}. */
    static String childClasspath()
    {
        final Path lib = KafkaCluster.defaultLibDir().toAbsolutePath().normalize();
        final List<String> entries = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            final Path path = Path.of(entry).toAbsolutePath().normalize();
            final String element = entry.endsWith(".jar") && lib.equals(path.getParent()) ? lib + File.separator + "*"
                : path.toString();
            if (!entries.contains(element))
            {
                entries.add(element);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private String tributaryCommand()
    {
        return common.tributaryCommand != null ? common.tributaryCommand : repo.resolve("bin/tributary").toString();
    }

    private String bootstrap()
    {
        return IntStream.range(0, KafkaCluster.NODES)
            .mapToObj(i -> "127.0.0.1:" + KafkaCluster.brokerPort(kafkaPortBase, i)).collect(Collectors.joining(","));
    }

    /** Fails early, with the reason, if Tributary's bench command does not run. */
    private void checkTributary(final List<SystemConfiguration> configurations) throws Exception
    {
        if (configurations.stream().allMatch(SystemConfiguration::isKafka))
        {
            return;
        }
        final List<String> command = new ArrayList<>(Arrays.asList(tributaryCommand().trim().split("\\s+")));
        command.addAll(List.of("bench", "--help"));
        final Process process = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0 || !output.contains("--local"))
        {
            process.destroyForcibly();
            throw new IllegalStateException("'" + String.join(" ", command) + "' does not work (exit "
                + (process.isAlive() ? "none" : process.exitValue()) + "), so Tributary cannot be measured:\n"
                    + output.strip()
                + "\nFix it, point --tributary-command at a working launcher, or run only Kafka: --configurations "
                    + "kafka-acks-all,kafka-acks-all-flush");
        }
    }

    private void printPlan(final List<Run> plan)
    {
        final long perRunSeconds = Durations.parse(duration, "--duration").toSeconds()
            + Durations.parse(warmup, "--warmup").toSeconds() + 25; // cluster start and stop, JVM starts
        console.printf(Locale.ROOT, "compare-kafka: %d runs (about %d min), one system at a time; results in %s%n",
            plan.size(), Math.max(1, plan.size() * perRunSeconds / 60), out);
        console.flush();
    }

    private RunResult execute(final Run run, final int number, final int total) throws IOException
    {
        IoUtil.delete(run.dir().toFile(), false);
        Files.createDirectories(run.dir());
        console.printf("[%d/%d] %s...%n", number, total, run.label());
        console.flush();
        final long startNs = System.nanoTime();
        final MachineLoad load = MachineLoad.start();
        String error = null;
        RunSummary summary = null;
        try
        {
            error = run.configuration().isKafka() ? runKafka(run) : runChild(run, command(run));
            if (error == null)
            {
                summary = RunSummary.read(run.dir().resolve("summary.json"));
            }
        }
        catch (final RefusedCommandException e)
        {
            load.stop();
            throw e;
        }
        catch (final Exception e)
        {
            error = e.getMessage() != null ? e.getMessage() : e.toString();
        }
        final MachineLoad.Sample sample = load.stop();
        final RunResult result = new RunResult(run.configuration(), run.experiment(), run.index(), run.dir(), summary,
            error,
            sample, (System.nanoTime() - startNs) / 1e9);
        printResult(result);
        return result;
    }

    private String runKafka(final Run run) throws Exception
    {
        final KafkaCluster.Settings settings =
            new KafkaCluster.Settings(work.resolve("kafka"), KafkaCluster.defaultLibDir(),
            kafkaPortBase, run.configuration() == SystemConfiguration.KAFKA_ACKS_ALL_FLUSH, Duration.ofSeconds(120));
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(run.dir().resolve("cluster.log"),
            StandardCharsets.UTF_8), true))
        {
            final KafkaCluster cluster = KafkaCluster.start(settings, log);
            try
            {
                final String error = runChild(run, command(run, cluster.brokerPids()));
                if (error != null)
                {
                    copyBrokerLogs(settings.workDir(), run.dir());
                }
                return error;
            }
            finally
            {
                cluster.stop();
            }
        }
    }

    private static void copyBrokerLogs(final Path kafkaWork, final Path runDir) throws IOException
    {
        for (int i = 1; i <= KafkaCluster.NODES; i++)
        {
            final Path log = kafkaWork.resolve("node-" + i).resolve("logs/server.log");
            if (Files.exists(log))
            {
                Files.copy(log, runDir.resolve("broker-" + i + ".log"));
            }
        }
    }

    /**
     * Runs the child with its output in output.log; null when it succeeded, else why not (with the output's last
     * lines).
     */
    private String runChild(final Run run, final List<String> command) throws Exception
    {
        final Path output = run.dir().resolve("output.log");
        final Duration timeout = Durations.parse(duration, "--duration").plus(Durations.parse(warmup, "--warmup"))
            .multipliedBy(2).plus(RUN_SLACK);
        final Process process = ChildRun.start(command, repo, output);
        current = process;
        try
        {
            if (!ChildRun.await(process, timeout))
            {
                return "did not finish within " + timeout.toSeconds() + " s and was stopped; "
                    + KafkaCluster.tail(output);
            }
            if (process.exitValue() == ExitCodes.USAGE)
            {
                throw new RefusedCommandException(run.label() + ": the command line was refused (exit "
                    + ExitCodes.USAGE + "), and every other run would be too; stopping. " + KafkaCluster.tail(output));
            }
            if (process.exitValue() != 0)
            {
                return "exited with code " + process.exitValue() + "; " + KafkaCluster.tail(output);
            }
            if (!Files.exists(run.dir().resolve("summary.json")))
            {
                return "finished without writing " + run.dir().resolve("summary.json") + "; "
                    + KafkaCluster.tail(output);
            }
            return null;
        }
        finally
        {
            current = null;
        }
    }

    private void terminateCurrent()
    {
        final Process process = current;
        if (process != null)
        {
            ChildRun.terminate(process);
        }
    }

    private void printResult(final RunResult result) throws IOException
    {
        final String load = Double.isNaN(result.load().cpuBusyPercentMean()) ? "machine load n/a"
            : String.format(Locale.ROOT, "cpu %.0f%%, load avg max %.1f", result.load().cpuBusyPercentMean(),
                result.load().loadAverageMax());
        if (result.ok())
        {
            final List<String> lines = Files.readAllLines(result.dir().resolve("output.log"), StandardCharsets.UTF_8);
            final String last = lines.stream().filter(l -> l.startsWith("summary:")).reduce((a, b) -> b)
                .orElse(lines.isEmpty() ? "" : lines.get(lines.size() - 1));
            console.printf(Locale.ROOT, "    %s (%.0f s, %s)%n", last, result.seconds(), load);
        }
        else
        {
            console.printf(Locale.ROOT, "    FAILED after %.0f s (%s): %s%n", result.seconds(), load, result.error());
        }
        console.flush();
    }

    private void report(final List<RunResult> results, final List<SystemConfiguration> configurations)
        throws IOException
    {
        final Path plot = ComparePlot.write(results, configurations, rate, out);
        final String date = ZonedDateTime.now(ZoneOffset.UTC)
            .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        final String table = CompareReport.table(results, configurations, rate);
        final String loadTable = CompareReport.loadTable(results, configurations);
        console.println();
        console.print(table);
        console.println();
        console.println("Machine load per run (mean CPU busy % / max 1-minute load average):");
        console.print(loadTable);
        final CompareSection section =
            new CompareSection(commandLine(), date, this, table, loadTable, plot, out, results);
        Files.writeString(out.resolve("results.md"), section.markdown(out) + "\n" + section.perRunTable(results));
        Files.writeString(out.resolve("results.json"), section.json(results));
        final long failed = results.stream().filter(r -> !r.ok()).count();
        if (failed > 0 && !common.noDocs)
        {
            console.printf("%n%s not updated: %d of %d runs failed (their numbers would be missing or wrong); written: "
                + "%s%n", docs, failed, results.size(), out);
        }
        else if (!common.noDocs)
        {
            final String existing = Files.exists(docs) ? Files.readString(docs, StandardCharsets.UTF_8)
                : "# Benchmarks\n";
            Files.createDirectories(docs.getParent());
            Files.writeString(docs, CompareReport.replaceSection(existing, section.markdown(docs.getParent())),
                StandardCharsets.UTF_8);
            console.printf("%nwritten: %s (section between %s and %s), %s%n", docs, CompareReport.START_MARKER,
                CompareReport.END_MARKER, out);
        }
        else
        {
            console.printf("%nwritten: %s%n", out);
        }
    }

    /** The command as a user types it, for the docs. */
    String commandLine()
    {
        final List<String> args = spec.commandLine().getParseResult().originalArgs();
        return "bin/tributary bench compare-kafka" + args.stream()
            .map(a -> " " + (a.matches("[A-Za-z0-9_./:=,@+-]+") ? a : "'" + a + "'"))
            .collect(Collectors.joining());
    }

    int rate()
    {
        return rate;
    }

    int sizeBytes()
    {
        return common.sizeBytes;
    }

    int shards()
    {
        return common.shards;
    }

    String duration()
    {
        return duration;
    }

    String warmup()
    {
        return warmup;
    }

    int runs()
    {
        return common.runs;
    }

    List<String> passThrough()
    {
        return passThrough;
    }
}
