package io.tributary.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import io.tributary.bench.load.LatencySummary;
import io.tributary.bench.load.LoadSummary;

/** Summaries as the load generator writes them, medians over runs, the goal lines, and the docs section. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportTableTest
{
    @TempDir
    Path dir;

    private static final CompareTransports.Experiment RATE = new CompareTransports.Experiment("rate", 5000);
    private static final CompareTransports.Experiment MAX = new CompareTransports.Experiment("max", 0);

    private RunSummary written(final String name, final double recordsPerSecond, final long p99Us) throws Exception
    {
        final LatencySummary latency =
            new LatencySummary(1000, p99Us / 4, p99Us / 2, p99Us, p99Us * 2, p99Us * 3, p99Us * 4, p99Us / 3.0);
        final LoadSummary summary = new LoadSummary("tributary-x", "rate", "fsync", 5000, 1024, 3, 3, 1, 100, "uniform",
            30, 15, 1,
            150_000, 149_990, 0, 10, recordsPerSecond, recordsPerSecond * 1024 / 1e6, latency, null, null, null);
        final Path file = dir.resolve(name + ".json");
        Files.writeString(file, summary.toJson());
        return RunSummary.read(file);
    }

    private static CompareTransports.Result ok(final String transport, final CompareTransports.Experiment experiment,
        final RunSummary summary)
    {
        return new CompareTransports.Result(new CompareTransports.Run(transport, experiment, 1, Path.of("x")), summary,
            null,
            MachineLoad.Sample.NONE, 1);
    }

    @Test
    void readsTheLoadGeneratorsSummaryAndTakesMediansPerTransport() throws Exception
    {
        final RunSummary read = written("one", 4999.5, 3000);
        assertThat(read.recordsPerSecond()).isEqualTo(4999.5);
        assertThat(read.p99Us()).isEqualTo(3000);
        assertThat(read.p50Us()).isEqualTo(750);
        assertThat(read.unsent()).isEqualTo(10);
        final List<CompareTransports.Result> results = new ArrayList<>();
        results.add(ok("aeron", RATE, written("a1", 5000, 1000)));
        results.add(ok("aeron", RATE, written("a2", 5000, 9000)));
        results.add(ok("aeron", RATE, written("a3", 5000, 2000)));
        results.add(ok("grpc", RATE, written("g1", 5000, 9000)));
        results.add(new CompareTransports.Result(new CompareTransports.Run("grpc", RATE, 2, Path.of("x")), null,
            "exited with code 1",
            MachineLoad.Sample.NONE, 1));
        results.add(ok("aeron", MAX, written("am", 30_000, 1)));
        results.add(ok("grpc", MAX, written("gm", 20_000, 1)));
        final TransportTable table = new TransportTable(List.of("aeron", "grpc", "netty"), List.of(RATE, MAX), results);
        assertThat(table.median("aeron", RATE, RunSummary::p99Us)).isEqualTo(2000);
        assertThat(table.median("grpc", RATE, RunSummary::p99Us)).as("the failed run is left out").isEqualTo(9000);
        assertThat(table.median("netty", RATE, RunSummary::p99Us)).isNaN();
        assertThat(table.markdown()).contains("| 5,000 records/s | p99 ms | 2.00 | 9.00 | — | 0.22 |")
            .contains("| maximum throughput | records/s | 30,000 | 20,000 | — | 1.50 |");
        assertThat(table.goals())
            .contains("p99 at 5,000 records/s: Aeron 2.00 ms, gRPC 9.00 ms, ratio 0.22 (goal at most 0.33): **met**")
            .contains("maximum throughput: Aeron 30,000 records/s, gRPC 20,000, ratio 1.50 (goal at least 2): "
                + "**missed**");
        assertThat(table.perRun()).contains("FAILED: exited with code 1");
        assertThat(table.failures()).contains("- grpc rate-5000 run 2: exited with code 1");
        assertThat(table.anyCellEmpty()).as("netty has no run").isTrue();
    }

    @Test
    void aTransportRunWithAndWithoutTlsGetsItsRatiosAndIssue17sGoals() throws Exception
    {
        final List<CompareTransports.Result> results = new ArrayList<>();
        results.add(ok("aeron", RATE, written("p", 5000, 10_000)));
        results.add(ok("aeron+tls", RATE, written("t", 5000, 11_000)));
        results.add(ok("aeron", MAX, written("pm", 30_000, 1)));
        results.add(ok("aeron+tls", MAX, written("tm", 24_000, 1)));
        final TransportTable table = new TransportTable(List.of("aeron", "aeron+tls"), List.of(RATE, MAX), results);
        assertThat(table.markdown()).contains("| experiment | metric | aeron | aeron+tls | aeron+tls / aeron |")
            .contains("| 5,000 records/s | p99 ms | 10.00 | 11.00 | 1.10 |")
            .contains("| maximum throughput | records/s | 30,000 | 24,000 | 0.80 |");
        assertThat(table.goals()).doesNotContain("issue #6")
            .contains("- aeron, 5,000 records/s: p99 with TLS 11.00 ms, plain 10.00 ms, ratio 1.10 (goal at most "
                + "1.20): **met**")
            .contains("- aeron, 5,000 records/s: throughput with TLS 1.00 of plain (goal at least 0.85): **met**")
            .contains("- aeron, maximum throughput: throughput with TLS 0.80 of plain (goal at least 0.85): "
                + "**missed**");
    }

    @Test
    void aTlsRunIsTheSameBenchCommandWithSecure()
    {
        final CompareTransports compare = new CompareTransports();
        CommandLine.populateCommand(compare, "--transports", "netty,netty+tls", "--tributary-command", "bin/t",
            "--work", dir.toString());
        final CompareTransports.Experiment rate = new CompareTransports.Experiment("rate", 5000);
        final List<String> tls = compare.command(new CompareTransports.Run("netty+tls", rate, 1, dir));
        final List<String> plain = compare.command(new CompareTransports.Run("netty", rate, 1, dir));
        assertThat(tls).containsSubsequence("--transport", "netty").contains("--secure");
        assertThat(plain).containsSubsequence("--transport", "netty").doesNotContain("--secure");
        assertThat(CompareTransports.baseTransport("grpc+tls")).isEqualTo("grpc");
    }

    @Test
    void aMissingOrForeignSummaryIsAClearError() throws Exception
    {
        assertThatThrownBy(() -> RunSummary.read(dir.resolve("none.json"))).hasMessageContaining("without writing");
        Files.writeString(dir.resolve("other.json"), "{\"hello\": 1}");
        assertThatThrownBy(() -> RunSummary.read(dir.resolve("other.json")))
            .hasMessageContaining("not a load generator summary");
    }

    @Test
    void theDocsSectionIsReplacedBetweenItsMarkersOrAppended()
    {
        final String start = CompareTransports.START_MARKER;
        final String end = CompareTransports.END_MARKER;
        final String appended = ChildRun.replaceSection("# Benchmarks\n", "table v1", CompareTransports.HEADING, start,
            end);
        assertThat(appended).isEqualTo("# Benchmarks\n\n" + CompareTransports.HEADING + "\n\n" + start + "\ntable v1\n"
            + end + "\n");
        final String replaced = ChildRun.replaceSection(appended + "\n## Later\n", "table v2",
            CompareTransports.HEADING, start, end);
        assertThat(replaced).contains(start + "\ntable v2\n" + end).doesNotContain("table v1").endsWith("## Later\n");
        assertThatThrownBy(() -> ChildRun.replaceSection("x " + start, "t", "h", start, end))
            .hasMessageContaining("only one of the markers");
    }
}
