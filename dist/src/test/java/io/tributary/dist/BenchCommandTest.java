package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
        final int exit = run(out, err, "bench", "--local", "--rate", "400", "--size", "256", "--duration", "3s", "--warmup", "1s",
            "--e2e", "--key-distribution", "zipfian", "--data", dir.resolve("data").toString(), "--out", results.toString());
        assertThat(exit).as(out + "\n" + err).isEqualTo(0);
        final List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(lines.size() - 1))
            .startsWith("summary: tributary-aeron rate fsync: 400 records/s (0.1 MB/s) of 400 targeted; produce latency us p50 ")
            .contains("p99.9", "max", "end-to-end us p50");
        assertThat(out.toString()).contains("warm-up", "acked", "stopping the local cluster");
        assertThat(Files.readString(results.resolve("summary.json")))
            .contains("\"system\": \"tributary-aeron\"", "\"intended\": 1200, \"acknowledged\": 1200, \"failed\": 0, \"unsent\": 0",
                "\"keyDistribution\": \"zipfian\"");
        for (final String file : List.of("produce.hlog", "e2e.hlog", "produce.hgrm", "e2e.hgrm", "percentiles.svg",
            "latency-over-time.svg", "report.html"))
        {
            assertThat(results.resolve(file)).isNotEmptyFile();
        }
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void badOptionsAreRejectedWithWhatToChange_BeforeAnythingStarts()
    {
        StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "--local", "--cluster", "n1@127.0.0.1:1")).isEqualTo(1);
        assertThat(err.toString()).contains("--local and --cluster exclude each other");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "--cluster", "n1@127.0.0.1:1", "--durability", "nofsync")).isEqualTo(1);
        assertThat(err.toString()).contains("--durability applies to --local only");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "--local", "--durability", "sometimes")).isEqualTo(1);
        assertThat(err.toString()).contains("--durability must be fsync or nofsync");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "--local", "--rate", "0")).isEqualTo(1);
        assertThat(err.toString()).contains("--rate must be >= 1");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "--mode", "fastest")).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString()).contains("use rate, max or catch-up");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "--local", "--transport", "pigeon", "--data", dir.resolve("data").toString()))
            .isEqualTo(1);
        assertThat(err.toString()).contains("--transport (or TRIBUTARY_TRANSPORT) is 'pigeon'; use one of aeron, grpc, netty");
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "bench", "compare-transports", "--transports", "aeron,pigeon", "--dry-run")).isEqualTo(1);
        assertThat(err.toString()).contains("--transports lists 'pigeon'; use aeron, grpc and/or netty");
        assertThat(dir.resolve("data")).doesNotExist();
    }
}
