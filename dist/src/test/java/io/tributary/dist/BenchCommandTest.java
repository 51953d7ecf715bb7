package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tributary.bench.load.LoadSummary;
import io.tributary.bench.load.ProcStat;
import io.tributary.bench.load.ResourceSummary;
import io.tributary.protocol.ExitCodes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tributary bench} against a local 3-node cluster it starts: progress, results folder, summary last. */
class BenchCommandTest
{
    @TempDir
    Path dir;

    private int run(final StringWriter out, final StringWriter err, final String... args)
    {
        final CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void benchLocalMeasuresEndToEnd_WritesResults_AndEndsWithTheSummaryLine() throws Exception
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final Path results = dir.resolve("results");
        final int exit = run(out, err, "bench", "--local", "--rate", "400", "--size", "256", "--duration", "3s",
            "--warmup", "1s",
            "--e2e", "--key-distribution", "zipfian", "--data", dir.resolve("data").toString(), "--out",
                results.toString());
        assertThat(exit).as(out + "\n" + err).isEqualTo(0);
        final List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(lines.size() - 1)).as(out.toString())
            .startsWith("summary: tributary-aeron rate fsync: 400 records/s (0.1 MB/s) of 400 targeted; produce "
            + "latency us p50 ").contains("p99.9", "max", "end-to-end us p50")
            .containsPattern("; [0-9,]+ entries/s, [0-9.]+ batches and [0-9.]+ records per entry; CPU [0-9.,]+ "
            + "us/record" + " \\(busy \\d+%, JIT \\d+%\\)$");
        assertThat(out.toString()).contains("warm-up", "acked", "stopping the local cluster", " entries/s ",
            " us/record busy ",
            "raft: ", "cpu: ", "CPU-bound: ", "load average: ");
        assertThat(Files.readString(results.resolve("summary.json")))
            .contains("\"system\": \"tributary-aeron\"",
                "\"intended\": 1200, \"acknowledged\": 1200, \"failed\": 0, \"unsent\": 0",
                "\"keyDistribution\": \"zipfian\"", "\"nodesMeasured\": true", "\"name\": \"load-generator\"",
                "\"name\": \"n1\"", "\"name\": \"n2\"", "\"name\": \"n3\"", "\"recordsPerEntry\": ")
            .doesNotContain("\"entries\": -1");
        for (final String file : List.of("produce.hlog", "e2e.hlog", "produce.hgrm", "e2e.hgrm", "percentiles.svg",
            "latency-over-time.svg", "throughput-over-time.svg", "report.html"))
        {
            assertThat(results.resolve(file)).isNotEmptyFile();
        }
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void costModelFitsTheRunsItIsGiven_AndSaysWhichItLeftOut() throws Exception
    {
        // CPU us/s = 100,000 + 2,000 x entries/s + 10 x KiB/s, in four runs that vary entries and bytes apart.
        final double[][] runs = {{100, 1_000}, {400, 2_000}, {200, 8_000}, {800, 16_000}};
        final List<String> args = new ArrayList<>(List.of("bench", "cost-model"));
        for (int i = 0; i < runs.length; i++)
        {
            args.add(writeRun("run" + i, runs[i][0], runs[i][1], 100_000 + 2_000 * runs[i][0] + 10 * runs[i][1], true)
                .toString());
        }
        args.add(writeRun("remote", 100, 100, 1, false).toString());
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        assertThat(run(out, err, args.toArray(new String[0]))).as(out + "\n" + err).isEqualTo(0);
        assertThat(out.toString()).contains("left out: ", "remote", "nodes' CPU was not measured",
            "cost model over 4 runs")
            .containsPattern("C_entry +2,000\\.0 us per entry").containsPattern("c_byte +10\\.00 us per KiB")
            .containsPattern("idle +100,000 us/s").containsPattern("R\\^2 +1\\.0000");
        final StringWriter tooFew = new StringWriter();
        assertThat(run(new StringWriter(), tooFew, "bench", "cost-model", dir.resolve("run0").toString())).isEqualTo(1);
        assertThat(tooFew.toString()).contains("at least 3 runs");
    }

    /** A results folder whose summary.json has the given rates over a 100-second interval with 1 KiB values. */
    private Path writeRun(final String name, final double entriesPerSecond, final double kibPerSecond,
        final double cpuUsPerSecond,
        final boolean local) throws Exception
    {
        final double seconds = 100;
        final long records = Math.round(kibPerSecond * seconds);
        final ResourceSummary.Cpu cpu = new ResourceSummary.Cpu(seconds, local,
            List.of(new ResourceSummary.ProcessTime("load-generator", 1, cpuUsPerSecond * seconds / 1e6, 0)), records,
            kibPerSecond * 1024, 50, ProcStat.LoadAverages.UNKNOWN, ProcStat.LoadAverages.UNKNOWN, List.of());
        final ResourceSummary.Raft raft =
            new ResourceSummary.Raft(seconds, Math.round(entriesPerSecond * seconds), records, records,
            0, 100, 0, 1, null);
        final LoadSummary summary = new LoadSummary("tributary-aeron", "rate", "fsync", 1000, 1024, 3, 3, 1, 100,
            "uniform", seconds,
            10, 1, records, records, 0, 0, records / seconds, records / seconds * 1024 / 1e6, null, null, null,
            new ResourceSummary(raft, cpu));
        final Path runDir = dir.resolve(name);
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("summary.json"), summary.toJson());
        return runDir;
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void badOptionsAreRejectedWithWhatToChange_BeforeAnythingStarts()
    {
        StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "--local", "--cluster", "n1@127.0.0.1:1")).isEqualTo(1);
        assertThat(err.toString()).contains("--local and --cluster exclude each other");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "--cluster", "n1@127.0.0.1:1", "--durability", "nofsync"))
            .isEqualTo(1);
        assertThat(err.toString()).contains("--durability applies to --local only");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "--local", "--durability", "sometimes")).isEqualTo(1);
        assertThat(err.toString()).contains("--durability must be fsync or nofsync");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "--local", "--rate", "0")).isEqualTo(1);
        assertThat(err.toString()).contains("--rate must be >= 1");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "--mode", "fastest")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("use rate, max or catch-up");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "--local", "--transport", "pigeon", "--data",
            dir.resolve("data").toString()))
            .isEqualTo(1);
        assertThat(err.toString())
            .contains("--transport (or TRIBUTARY_TRANSPORT) is 'pigeon'; use one of aeron, grpc, netty");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "compare-transports", "--transports", "aeron,pigeon",
            "--dry-run")).isEqualTo(1);
        assertThat(err.toString()).contains("--transports lists 'pigeon'; use aeron, grpc and/or netty");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "compare-transports", "--runs", "0", "--dry-run"))
            .isEqualTo(1);
        assertThat(err.toString()).contains("--runs must be in [1, 20], was 0");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void theComparisonsSharedOptionsReachEachRunsCommandLine()
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        assertThat(run(out, err, "bench", "compare-transports", "--transports", "aeron", "--rates", "200", "--no-max",
            "--runs", "2", "--size", "512", "--shards", "2", "--seed", "7",
            "--tributary-command", "/opt/t/bin/tributary", "--out", dir.resolve("out").toString(),
            "--work", dir.resolve("work").toString(), "--dry-run"))
            .as(err.toString()).isEqualTo(0);
        final String plan = out.toString();
        assertThat(plan).contains("/opt/t/bin/tributary bench --local --transport aeron")
            .contains("--size 512").contains("--shards 2").contains("--seed 7").contains("--seed 8")
            .doesNotContain("--seed 9");
    }
}
