package io.tributary.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.xml.parsers.DocumentBuilderFactory;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The load generator's measurement, against a system whose behaviour is known. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LoadRunTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @TempDir
    Path dir;

    private LoadOptions options(final String... args)
    {
        final LoadOptions options = new LoadOptions();
        new CommandLine(options).parseArgs(args);
        options.out = dir;
        options.quiet = true;
        return options;
    }

    @Test
    void stallShowsInTheLatencyOfEveryRecordScheduledDuringIt_CoordinatedOmissionCorrected() throws Exception
    {
        // 1,000 records/s for 2 s; the 500th send blocks 400 ms. A closed-loop generator would
        // record one slow record; scheduled send times charge the stall to the ~400 records due during it.
        final LoadOptions options = options("--rate", "1000", "--duration", "2s", "--warmup", "0s", "--size", "100",
            "--seed", "7");
        try (SimulatedSystem system = new SimulatedSystem(MS, 500, 400 * MS))
        {
            final LoadSummary summary = LoadRun.run(system, options, "test", new PrintWriter(new StringWriter()));
            assertThat(summary.intended()).isEqualTo(2000);
            // On a busy machine the generator may not send the last few in time: they are counted, not lost.
            assertThat(summary.acknowledged() + summary.unsent()).isEqualTo(2000);
            assertThat(summary.unsent()).isLessThan(20);
            assertThat(summary.failed()).isZero();
            assertThat(summary.produceLatencyUs().maxUs()).isBetween(390_000L, 1_000_000L);
            // Records due during the stall wait on average ~200 ms: at least 15% of all records exceed 50 ms.
            assertThat(summary.produceLatencyUs().p90Us()).isGreaterThan(50_000);
            assertThat(summary.produceLatencyUs().p50Us()).isLessThan(50_000);
            assertThat(summary.recordsPerSecond()).isBetween(990.0, 1010.0);
        }
    }

    @Test
    void aSenderSlightlyLateAtTheEndStillSendsWhatWasScheduled() throws Exception
    {
        // 1,000 records/s for 2 s; the 1,990th send blocks 300 ms, so the last ten are due before the end but sent
        // after it: late (and charged for it), not "unsent" (before: they were dropped as unsent).
        final LoadOptions options = options("--rate", "1000", "--duration", "2s", "--warmup", "0s", "--size", "100",
            "--seed", "7");
        try (SimulatedSystem system = new SimulatedSystem(MS, 1990, 300 * MS))
        {
            final LoadSummary summary = LoadRun.run(system, options, "test", new PrintWriter(new StringWriter()));
            assertThat(summary.unsent()).isZero();
            assertThat(summary.acknowledged()).isEqualTo(2000);
            assertThat(summary.produceLatencyUs().maxUs()).isBetween(290_000L, 1_000_000L);
        }
    }

    @Test
    void aSenderFarBehindAtTheEndStopsAndCountsTheRestAsUnsentWithTheirWait() throws Exception
    {
        // The 1,900th send blocks 1.5 s: at the end the loop is more than a second behind, so the ~100 records due in
        // the last 0.1 s are counted as unsent, each with the wait it had (at least 1.4 s), not sent in a burst.
        final LoadOptions options = options("--rate", "1000", "--duration", "2s", "--warmup", "0s", "--size", "100",
            "--seed", "7");
        final StringWriter printed = new StringWriter();
        try (SimulatedSystem system = new SimulatedSystem(MS, 1900, 1500 * MS))
        {
            final LoadSummary summary = LoadRun.run(system, options, "test", new PrintWriter(printed));
            assertThat(summary.acknowledged() + summary.unsent()).isEqualTo(2000);
            assertThat(summary.unsent()).as(printed.toString()).isBetween(90L, 101L);
            assertThat(summary.produceLatencyUs().maxUs()).isBetween(1_400_000L, 3_000_000L);
            assertThat(printed.toString()).contains("scheduled records were not sent by the end");
        }
    }

    @Test
    void aWarmUpThatEndsFarBehindItsScheduleIsReportedAndSoIsTheMomentItsBacklogIsAnswered() throws Exception
    {
        // 1,000 records/s, 1 s of warm-up: the 300th send blocks 1.5 s, so at the warm-up's end about 700 of its
        // 1,000 records are unanswered (more than half a second of schedule); the sender catches up at ~1.8 s.
        final LoadOptions options = options("--rate", "1000", "--duration", "2s", "--warmup", "1s", "--size", "100",
            "--seed", "7");
        final String printed = printedBy(options, new SimulatedSystem(MS, 300, 1500 * MS));
        assertThat(printed).as(printed)
            .containsPattern("the warm-up ended [0-9,]+ records \\(0\\.[5-9] s of schedule\\) behind")
            .containsPattern("the warm-up's backlog was answered [0-9] s into the measurement");

        final String steady = printedBy(options, new SimulatedSystem(MS, Long.MAX_VALUE, 0));
        assertThat(steady).as("a warm-up that kept up").doesNotContain("warm-up ended").doesNotContain("backlog");
    }

    /** What a run against {@code system} printed (closed after the run). */
    private static String printedBy(final LoadOptions options, final SimulatedSystem system) throws Exception
    {
        final StringWriter printed = new StringWriter();
        try (system)
        {
            LoadRun.run(system, options, "test", new PrintWriter(printed));
        }
        return printed.toString();
    }

    @Test
    void writesSummaryIntervalLogsDistributionsAndPlots() throws Exception
    {
        final LoadOptions options = options("--rate", "2000", "--duration", "2s", "--warmup", "1s", "--e2e",
            "--producers", "2");
        options.quiet = false;
        final StringWriter printed = new StringWriter();
        try (SimulatedSystem system = new SimulatedSystem(2 * MS, Long.MAX_VALUE, 0).withRaftCounters())
        {
            // This JVM stands in for a node process too: its CPU is counted twice, which is what the test looks for.
            final LoadSummary summary = LoadRun.run(system, options, "test", new PrintWriter(printed),
                Map.of("n1", ProcessHandle.current().pid()));
            assertThat(system.producersOpened.get()).isEqualTo(2);
            assertThat(summary.acknowledged()).as(printed.toString()).isEqualTo(4000);
            assertThat(summary.produceLatencyUs().p50Us()).isBetween(2_000L, 200_000L);
            assertThat(summary.endToEndLatencyUs().count()).isEqualTo(4000);
            final String json = Files.readString(dir.resolve("summary.json"));
            assertThat(json).contains("\"system\": \"simulated\"", "\"mode\": \"rate\"", "\"acknowledged\": 4000",
                "\"produceLatencyUs\": {\"count\":4000", "\"catchUp\": null");
            assertThat(summary.oneLine())
                .startsWith("summary: simulated rate test: 2,000 records/s (2.0 MB/s) of 2,000 targeted; produce "
                + "latency us p50 ");
            assertResources(summary, json, printed.toString());
        }
        assertThat(totalCount(dir.resolve("produce.hlog"))).isEqualTo(4000);
        assertThat(totalCount(dir.resolve("e2e.hlog"))).isEqualTo(4000);
        assertThat(Files.readString(dir.resolve("produce.hgrm"))).contains("#[Mean", "#[Max");
        for (final String svg : new String[] {"percentiles.svg", "latency-over-time.svg", "throughput-over-time.svg"})
        {
            // Well-formed XML, or a browser shows nothing.
            DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve(svg).toFile());
        }
        assertThat(Files.readString(dir.resolve("report.html")))
            .contains("<svg", "summary.json", "end-to-end", "Throughput over time",
            "Raft entries", "CPU-bound");
    }

    /** 2 batches and 10 records per entry, as the simulated shards store them; CPU of both measured processes. */
    private static void assertResources(final LoadSummary summary, final String json, final String printed)
    {
        final ResourceSummary.Raft raft = summary.resources().raft();
        assertThat(raft.error()).isNull();
        // Wide bounds on what depends on timing (a busy machine delays threads and makes the producers catch up in
        // bursts)...
        assertThat(raft.seconds()).isBetween(1.5, 3.5);
        assertThat(raft.entriesPerSecond()).isBetween(50.0, 1_000.0); // about 2,000 records/s in entries of 10
        // ...exact ones on what does not: the counters' deltas over the same two samples.
        // integer division per shard
        assertThat(raft.entries()).isBetween(raft.records() / 10 - 2, raft.records() / 10 + 2);
        assertThat(raft.entriesPerSecond()).isEqualTo(raft.entries() / raft.seconds());
        assertThat(raft.recordsPerEntry()).isBetween(9.5, 10.5);
        assertThat(raft.batchesPerEntry()).isBetween(1.9, 2.1);
        assertThat(json).contains("\"resources\": {", "\"raft\": {\"seconds\"", "\"recordsPerEntry\": ");
        assertThat(summary.oneLine())
            .containsPattern("; \\d+ entries/s, \\d+\\.\\d batches and \\d+\\.\\d records per entry");
        assertThat(printed).contains("raft: ", " entries/s ", " records each");
        final ResourceSummary.Cpu cpu = summary.resources().cpu();
        if (!Files.isReadable(Path.of("/proc/stat")))
        {
            assertThat(cpu).as("no /proc on this machine: no CPU figures").isNull();
            return;
        }
        assertThat(cpu.nodesMeasured()).isTrue();
        assertThat(cpu.processes()).extracting(ResourceSummary.ProcessTime::name)
            .containsExactly("load-generator", "n1");
        assertThat(cpu.processes().get(0).cpuSeconds()).isEqualTo(cpu.processes().get(1).cpuSeconds(), within(0.05));
        assertThat(cpu.seconds()).isBetween(1.5, 3.5);
        assertThat(cpu.recordsAcknowledged()).isBetween(1_000L, 6_000L); // of 6,000 in all, warm-up included
        assertThat(cpu.cpuUsPerRecord()).isEqualTo(cpu.cpuSeconds() * 1e6 / cpu.recordsAcknowledged());
        assertThat(cpu.cpuUsPerRecord()).isPositive();
        assertThat(cpu.machineBusyPercent()).isBetween(0.0, 100.0);
        assertThat(cpu.jitPercent()).isBetween(0.0, 100.0);
        assertThat(json).contains("\"cpuUsPerRecord\": ", "\"nodesMeasured\": true", "\"name\": \"n1\"",
            "\"loadAverageStart\": [");
        assertThat(summary.oneLine()).containsPattern("; CPU [0-9.,]+ us/record \\(busy \\d+%, JIT \\d+%\\)$");
        assertThat(printed).contains(" us/record busy ", "cpu: ", "CPU-bound: ", "load average: ");
    }

    @Test
    void catchUpReadsBackEverythingAcknowledged() throws Exception
    {
        final LoadOptions options = options("--mode", "catch-up", "--duration", "1s", "--size", "64");
        try (SimulatedSystem system = new SimulatedSystem(0, Long.MAX_VALUE, 0))
        {
            final LoadSummary summary = LoadRun.run(system, options, "test", new PrintWriter(new StringWriter()));
            assertThat(summary.catchUp()).isNotNull();
            final int stored = system.storedCount();
            assertThat(summary.catchUp().records()).as("read back").isEqualTo(summary.acknowledged()).isEqualTo(stored);
            assertThat(summary.catchUp().bytes()).isEqualTo(64L * stored);
            assertThat(summary.oneLine()).contains("catch-up").contains("MB/s");
        }
    }

    @Test
    void maxModeSendsAsFastAsTheSystemAccepts() throws Exception
    {
        final LoadOptions options = options("--mode", "max", "--duration", "1s", "--warmup", "0s", "--size", "16");
        try (SimulatedSystem system = new SimulatedSystem(0, Long.MAX_VALUE, 0))
        {
            final LoadSummary summary = LoadRun.run(system, options, "test", new PrintWriter(new StringWriter()));
            assertThat(summary.recordsPerSecond()).isGreaterThan(20_000); // far above any fixed rate used here
            assertThat(summary.rateTarget()).isZero();
            assertThat(summary.resources().raft()).as("a system without Raft groups").isNull();
            if (summary.resources().cpu() != null)
            {
                assertThat(summary.resources().cpu().nodesMeasured()).isFalse();
                assertThat(summary.resources().cpu().processes()).hasSize(1);
                assertThat(summary.oneLine()).contains("load generator only, nodes not measured")
                    .doesNotContain("entries/s");
            }
        }
    }

    @Test
    void badOptionsSayWhichOptionToChange()
    {
        assertThatThrownBy(() -> options("--rate", "0").validate()).hasMessageContaining("--rate must be >= 1");
        assertThatThrownBy(() -> options("--e2e", "--size", "4").validate())
            .hasMessageContaining("--size must be >= 8");
        assertThatThrownBy(() -> options("--duration", "soon").validate())
            .hasMessageContaining("--duration: 'soon' is not a duration");
        assertThatThrownBy(() -> options("--producers", "5", "--rate", "4").validate())
            .hasMessageContaining("must not exceed --rate");
        assertThatThrownBy(() -> options("--mode", "fastest")).hasMessageContaining("use rate, max or catch-up");
        assertThatThrownBy(() -> options("--key-distribution", "pareto"))
            .hasMessageContaining("use uniform or zipfian");
    }

    private static long totalCount(final Path hlog) throws Exception
    {
        final Histogram total = new Histogram(3);
        final HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        EncodableHistogram interval;
        while ((interval = reader.nextIntervalHistogram()) != null)
        {
            total.add((Histogram)interval);
        }
        reader.close();
        return total.getTotalCount();
    }
}
