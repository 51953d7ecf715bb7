package io.tributary.bench.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The Markdown (for docs/benchmarks.md and results.md) and results.json of one compare-kafka invocation. */
final class CompareSection
{
    private final String command;
    private final String date;
    private final CompareKafka options;
    private final String table;
    private final String loadTable;
    private final Path plot;
    private final Path out;
    private final List<String> failures;

    CompareSection(final String command, final String date, final CompareKafka options, final String table,
        final String loadTable,
        final Path plot, final Path out, final List<RunResult> results)
    {
        this.failures = results.stream().filter(r -> !r.ok())
            .map(r -> r.configuration().id + " " + r.experiment().mode + " run " + r.run() + ": " + r.error().lines()
                .findFirst().orElse(""))
            .toList();
        this.command = command;
        this.date = date;
        this.options = options;
        this.table = table;
        this.loadTable = loadTable;
        this.plot = plot;
        this.out = out;
    }

    /** The section; links relative to {@code from} (the folder of the Markdown file it goes into). */
    String markdown(final Path from)
    {
        final StringBuilder md = new StringBuilder();
        md.append("### Results of ").append(date).append("\n\n");
        md.append("Produced by `").append(command).append("` at commit ").append(gitRevision()).append(".\n\n");
        md.append("Machine: ").append(machine()).append(".\n\n");
        md.append(String.format(Locale.ROOT,
            "Workload: %,d-byte values, %d shards (Kafka: partitions), replication factor 3, %s warm-up then %s "
                + "measured per run, median of %d run%s%s. Each run starts a fresh 3-node cluster of one system on "
                + "this machine (never both at once) and the load generator in another JVM; the runs of the "
                + "configurations are interleaved.%n%n",
            options.sizeBytes(), options.shards(), options.warmup(), options.duration(), options.runs(),
                options.runs() == 1 ? "" : "s",
            options.passThrough().isEmpty() ? "" : "; load options " + String.join(" ", options.passThrough())));
        md.append("Durability: Tributary *fsync* (default) acknowledges once a majority has the write in its fsynced "
            + "Raft log;" + " *nofsync* once a majority has it in the page cache. Kafka " + KafkaCluster.kafkaVersion()
            + " (3 combined KRaft nodes, `-Xmx1g`): producer `acks=all`, idempotent, `min.insync.replicas=2`; "
            + "*+flush* adds `log.flush.interval.messages=1` (an fsync after every append, as a Raft log does). Both "
            + "producers: linger 5 ms, 64 KiB batches, 32 MiB buffer, 5 batches in flight.\n\n");
        md.append(table).append('\n');
        if (!failures.isEmpty())
        {
            md.append("Failed runs, left out of the medians:\n\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
            md.append('\n');
        }
        md.append("Ratios are Tributary / Kafka at matching durability (fsync against acks=all+flush, nofsync "
            + "against acks=all): below 1 Tributary is lower (better, for latency), above 1 higher (better, for "
            + "throughput). Latency runs from each record's intended send time (coordinated omission corrected) to "
            + "its acknowledgement.\n\n");
        md.append("Machine load during each run (mean CPU busy % / highest 1-minute load average; cluster start "
            + "included):\n\n");
        md.append(loadTable).append('\n');
        if (plot != null)
        {
            md.append("![Produce latency by percentile at the fixed rate, every configuration](")
                .append(link(from, plot)).append(")\n\n");
        }
        md.append("Every run's files (summary.json, HdrHistogram .hlog/.hgrm, plots, output.log): [")
            .append(link(from, out)).append("](").append(link(from, out.resolve("results.md"))).append(").\n");
        return md.toString();
    }

    private static String link(final Path from, final Path target)
    {
        return from.toAbsolutePath().normalize().relativize(target.toAbsolutePath().normalize()).toString()
            .replace('\\', '/');
    }

    /** Every run's main numbers, for results.md: the spread behind each median. */
    String perRunTable(final List<RunResult> results)
    {
        final StringBuilder md = new
            StringBuilder("\n### Every run\n\n| configuration | experiment | run | rec/s | MB/s | p50 µs | p99 µs"
            + " | p99.9 µs | max µs | catch-up MB/s | cpu % | load | folder "
                + "|\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (final RunResult r : results)
        {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                r.configuration().label, r.experiment().mode, r.run(),
                cell(r, "%,.0f", "recordsPerSecond"), cell(r, "%,.1f", "megabytesPerSecond"),
                cell(r, "%,.0f", "produceLatencyUs", "p50"), cell(r, "%,.0f", "produceLatencyUs", "p99"),
                cell(r, "%,.0f", "produceLatencyUs", "p999"), cell(r, "%,.0f", "produceLatencyUs", "max"),
                cell(r, "%,.1f", "catchUp", "megabytesPerSecond"),
                CompareReport.format("%.0f", r.load().cpuBusyPercentMean()),
                    CompareReport.format("%.1f", r.load().loadAverageMax()),
                r.ok() ? link(out, r.dir()) : link(out, r.dir()) + " (FAILED)"));
        }
        return md.toString();
    }

    private static String cell(final RunResult result, final String format, final String... path)
    {
        return result.ok() ? CompareReport.format(format, CompareReport.value(result.summary().json(), List.of(path)))
            : CompareReport.MISSING;
    }

    /** results.json: the options, and per run its summary, error and machine load. */
    String json(final List<RunResult> results) throws IOException
    {
        final ObjectMapper mapper = new ObjectMapper();
        final ObjectNode root = mapper.createObjectNode();
        root.put("command", command);
        root.put("date", date);
        root.put("commit", gitRevision());
        root.put("machine", machine());
        final ArrayNode runs = root.putArray("runs");
        for (final RunResult r : results)
        {
            final ObjectNode run = runs.addObject();
            run.put("configuration", r.configuration().id);
            run.put("system", r.configuration().system);
            run.put("durability", r.configuration().durability);
            run.put("experiment", r.experiment().mode);
            run.put("run", r.run());
            run.put("folder", link(out, r.dir()));
            run.put("seconds", r.seconds());
            run.put("cpuBusyPercentMean", r.load().cpuBusyPercentMean());
            run.put("loadAverageMax", r.load().loadAverageMax());
            run.put("error", r.error());
            run.set("summary", r.summary() != null ? r.summary().json() : null);
        }
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    static String machine()
    {
        final StringBuilder machine = new StringBuilder();
        final String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name");
        if (cpu != null)
        {
            machine.append(cpu).append(", ");
        }
        machine.append(Runtime.getRuntime().availableProcessors()).append(" cores");
        final String memory = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        if (memory != null && memory.endsWith("kB"))
        {
            final long kib = Long.parseLong(memory.replace("kB", "").trim());
            machine.append(String.format(Locale.ROOT, ", %.0f GiB", kib / 1048576.0));
        }
        return machine.append(", ").append(System.getProperty("os.name")).append(' ')
            .append(System.getProperty("os.version"))
            .append(", Java ").append(System.getProperty("java.version")).toString();
    }

    private static String firstValue(final Path file, final String key)
    {
        try
        {
            return Files.readAllLines(file, StandardCharsets.US_ASCII).stream().filter(l -> l.startsWith(key))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(null);
        }
        catch (final IOException | RuntimeException e)
        {
            return null;
        }
    }

    /** The short commit, with "+changes" when the work tree differs from it; "unknown" outside git. */
    static String gitRevision()
    {
        try
        {
            final String revision = run("git", "rev-parse", "--short", "HEAD");
            final String status = run("git", "status", "--porcelain", "--untracked-files=no");
            return revision == null ? "unknown" : status == null || status.isEmpty() ? revision : revision + "+changes";
        }
        catch (final IOException e)
        {
            return "unknown";
        }
    }

    private static String run(final String... command) throws IOException
    {
        final Process process = new ProcessBuilder(command).directory(CompareKafka.repositoryRoot().toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try
        {
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0 ? output : null;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
