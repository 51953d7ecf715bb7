package io.tributary.bench.kafka;

import io.tributary.bench.compare.MachineLoad;
import io.tributary.bench.compare.RunSummary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

class CompareReportTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void medianOfOddAndEvenCountsIgnoresMissingValues()
    {
        assertThat(CompareReport.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(CompareReport.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
        assertThat(CompareReport.median(List.of(Double.NaN, 5.0))).isEqualTo(5.0);
        assertThat(CompareReport.median(List.of())).isNaN();
    }

    @Test
    void valueFollowsThePathAndTreatsNullAsMissing() throws Exception
    {
        final JsonNode summary =
            JSON.readTree("{\"produceLatencyUs\":{\"p99\":1234},\"endToEndLatencyUs\":null,\"catchUp\":null}");
        assertThat(CompareReport.value(summary, List.of("produceLatencyUs", "p99"))).isEqualTo(1234.0);
        assertThat(CompareReport.value(summary, List.of("endToEndLatencyUs", "p99"))).isNaN();
        assertThat(CompareReport.value(summary, List.of("catchUp", "megabytesPerSecond"))).isNaN();
        assertThat(CompareReport.value(summary, List.of("absent"))).isNaN();
    }

    @Test
    void tableShowsMediansAndRatiosOfTheMatchingDurabilityPairs() throws Exception
    {
        final List<RunResult> results = new ArrayList<>();
        final double[] tributaryP99 = {900, 1000, 5000};
        final double[] kafkaFlushP99 = {2000, 2100, 1900};
        for (int run = 0; run < 3; run++)
        {
            results.add(rate(SystemConfiguration.TRIBUTARY_FSYNC, run + 1, tributaryP99[run]));
            results.add(rate(SystemConfiguration.KAFKA_ACKS_ALL_FLUSH, run + 1, kafkaFlushP99[run]));
        }
        final String table = CompareReport.table(results,
            List.of(SystemConfiguration.TRIBUTARY_FSYNC, SystemConfiguration.KAFKA_ACKS_ALL_FLUSH), 20_000);

        assertThat(table).startsWith("| metric (median) | Tributary fsync | Kafka acks=all+flush | ratio T/K |");
        assertThat(table).contains("| produce p99 (µs) at 20,000 rec/s | 1,000 | 2,000 | 0.50 |");
        assertThat(table).doesNotContain("max throughput").doesNotContain("end-to-end")
            .doesNotContain("failed records");
    }

    @Test
    void cpuPerRecordIsShownOnlyForRunsThatMeasuredTheClusterToo() throws Exception
    {
        final List<RunResult> results = List.of(
            withCpu(SystemConfiguration.TRIBUTARY_FSYNC, 98.1, true),
            withCpu(SystemConfiguration.KAFKA_ACKS_ALL, 13.2, false));
        final String table = CompareReport.table(results,
            List.of(SystemConfiguration.TRIBUTARY_FSYNC, SystemConfiguration.KAFKA_ACKS_ALL), 20_000);

        // Kafka's run measured its load generator only (no broker pids): no figure, rather than a misleading 13.2.
        assertThat(table).contains("| CPU per record (µs, cluster and load generator) at 20,000 rec/s | 98.1 | — |");
        final String measured = CompareReport.table(List.of(withCpu(SystemConfiguration.TRIBUTARY_FSYNC, 98.1, true),
            withCpu(SystemConfiguration.KAFKA_ACKS_ALL, 49.0, true)),
            List.of(SystemConfiguration.TRIBUTARY_FSYNC, SystemConfiguration.KAFKA_ACKS_ALL), 20_000);
        assertThat(measured)
            .contains("| CPU per record (µs, cluster and load generator) at 20,000 rec/s | 98.1 | 49.0 |");
    }

    private static RunResult withCpu(final SystemConfiguration configuration, final double cpuUsPerRecord,
        final boolean nodesMeasured) throws Exception
    {
        final JsonNode summary =
            JSON.readTree("{\"recordsPerSecond\":20000.0,\"megabytesPerSecond\":20.5,\"intended\":1000,"
            + "\"acknowledged\":1000,\"unsent\":0,\"failed\":0,\"produceLatencyUs\":{\"p50\":10,"
            + "\"p99\":20,\"p999\":30,\"max\":40},\"resources\":{\"cpu\":{\"nodesMeasured\":" + nodesMeasured
            + ",\"cpuUsPerRecord\":" + cpuUsPerRecord + "}}}");
        return new RunResult(configuration, Experiment.RATE, 1, Path.of("run-1"), RunSummary.of(summary, "test"), null,
            new MachineLoad.Sample(40, 1.5, 10), 12);
    }

    @Test
    void aFailedRunIsLeftOutOfTheMedianAndShownInTheLoadTable() throws Exception
    {
        final List<RunResult> results = new ArrayList<>(List.of(rate(SystemConfiguration.KAFKA_ACKS_ALL, 1, 100),
            new RunResult(SystemConfiguration.KAFKA_ACKS_ALL, Experiment.RATE, 2, Path.of("x"), null,
                "exited with code 1",
                new MachineLoad.Sample(50, 2.5, 10), 3)));
        final String table = CompareReport.table(results, List.of(SystemConfiguration.KAFKA_ACKS_ALL), 1000);
        assertThat(table).contains("| produce p99 (µs) at 1,000 rec/s | 100 |");
        assertThat(CompareReport.loadTable(results, List.of(SystemConfiguration.KAFKA_ACKS_ALL)))
            .contains("| rate | 40% / 1.5; 50% / 2.5 (failed) |");
    }

    @Test
    void replaceSectionReplacesOnlyBetweenTheMarkers()
    {
        final String docs = "# Benchmarks\n\nbefore\n" + CompareReport.START_MARKER + "\nold\n"
            + CompareReport.END_MARKER + "\nafter\n";
        assertThat(CompareReport.replaceSection(docs, "new table\n"))
            .isEqualTo("# Benchmarks\n\nbefore\n" + CompareReport.START_MARKER + "\nnew table\n"
                + CompareReport.END_MARKER + "\nafter\n");
    }

    @Test
    void replaceSectionAppendsHeadingAndMarkersWhenMissing()
    {
        final String updated = CompareReport.replaceSection("# Benchmarks\n\ntext\n", "table");
        assertThat(updated).isEqualTo("# Benchmarks\n\ntext\n\n" + CompareReport.SECTION_HEADING + "\n\n"
            + CompareReport.START_MARKER + "\ntable\n" + CompareReport.END_MARKER + "\n");
        assertThat(CompareReport.replaceSection(updated, "second")).contains("\nsecond\n").doesNotContain("table");
    }

    @Test
    void replaceSectionRefusesALoneMarker()
    {
        assertThatThrownBy(() -> CompareReport.replaceSection("x " + CompareReport.START_MARKER + " y", "t"))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("only one of the markers");
    }

    @Test
    void pairsMatchDurability()
    {
        assertThat(SystemConfiguration.TRIBUTARY_FSYNC.pair()).isEqualTo(SystemConfiguration.KAFKA_ACKS_ALL_FLUSH);
        assertThat(SystemConfiguration.TRIBUTARY_NOFSYNC.pair()).isEqualTo(SystemConfiguration.KAFKA_ACKS_ALL);
        assertThat(Arrays.stream(SystemConfiguration.values()).allMatch(c -> c.pair().pair() == c)).isTrue();
        assertThat(SystemConfiguration.parse("Kafka-Acks-All")).isEqualTo(SystemConfiguration.KAFKA_ACKS_ALL);
        assertThatThrownBy(() -> Experiment.parse("fast")).hasMessageContaining("rate, max or catch-up");
    }

    private static RunResult rate(final SystemConfiguration configuration, final int run, final double p99Us)
        throws Exception
    {
        final JsonNode summary =
            JSON.readTree("{\"recordsPerSecond\":20000.0,\"megabytesPerSecond\":20.5,\"intended\":1000,"
            + "\"acknowledged\":1000,\"unsent\":0,\"failed\":0,\"produceLatencyUs\":{\"p50\":10,\"p99\":"
            + p99Us + ",\"p999\":" + (p99Us * 2) + ",\"max\":" + (p99Us * 3)
                + "},\"endToEndLatencyUs\":null,\"catchUp\":null}");
        return new RunResult(configuration, Experiment.RATE, run, Path.of("run-" + run), RunSummary.of(summary, "test"),
            null,
            new MachineLoad.Sample(40, 1.5, 10), 12);
    }
}
