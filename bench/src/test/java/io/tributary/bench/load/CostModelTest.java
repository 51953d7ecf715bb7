package io.tributary.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cost model's least-squares fit, on runs made from known coefficients. */
class CostModelTest
{
    // WRITE-PATH.md's inferred figures: 2.5-3 ms of CPU per entry, 10-20 us per KiB; some idle burn.
    private static final double IDLE_US_PER_SECOND = 180_000;
    private static final double ENTRY_US = 2_750;
    private static final double KIB_US = 15;

    private static CostModel.Run run(final double entriesPerSecond, final double kibPerSecond, final double noise)
    {
        return new CostModel.Run(entriesPerSecond + " entries/s", (IDLE_US_PER_SECOND + ENTRY_US * entriesPerSecond
            + KIB_US * kibPerSecond) * (1 + noise), entriesPerSecond, kibPerSecond);
    }

    /** Rates 2k, 5k, 10k records/s of 1 KiB and 256 B with a few records per entry: what the bench runs would give. */
    private static List<CostModel.Run> runs(final SplittableRandom random, final double noise)
    {
        final List<CostModel.Run> runs = new ArrayList<>();
        for (final double records : new double[] {2_000, 5_000, 10_000})
        {
            for (final double kib : new double[] {1, 0.25})
            {
                // bigger entries as load grows, differently per size
                final double recordsPerEntry = 2 + records / 1_000 * kib;
                runs.add(run(records / recordsPerEntry, records * kib, noise * (2 * random.nextDouble() - 1)));
            }
        }
        return runs;
    }

    @Test
    void recoversTheCoefficientsOfExactData()
    {
        final CostModel.Fit fit = CostModel.fit(runs(new SplittableRandom(1), 0));
        assertThat(fit.entryUs()).isCloseTo(ENTRY_US, within(1e-6));
        assertThat(fit.kibUs()).isCloseTo(KIB_US, within(1e-9));
        assertThat(fit.idleUsPerSecond()).isCloseTo(IDLE_US_PER_SECOND, within(1e-3));
        assertThat(fit.rSquared()).isCloseTo(1.0, within(1e-12));
        assertThat(fit.runs()).isEqualTo(6);
    }

    @Test
    void staysCloseWithMeasurementNoise()
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final CostModel.Fit fit = CostModel.fit(runs(random, 0.02)); // +-2% per run, as repeated runs here differ
        assertThat(fit.entryUs()).as("seed %d", seed).isCloseTo(ENTRY_US, within(ENTRY_US * 0.15));
        assertThat(fit.rSquared()).as("seed %d", seed).isGreaterThan(0.99).isLessThan(1.0);
    }

    @Test
    void agreesWithTheNormalEquationsSolvedByGaussianElimination()
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 200; trial++)
        {
            final List<CostModel.Run> runs = new ArrayList<>();
            final int n = 3 + random.nextInt(8);
            for (int i = 0; i < n; i++)
            {
                runs.add(new CostModel.Run("r" + i, random.nextDouble(0, 2e6), random.nextDouble(0, 5_000),
                    random.nextDouble(0, 50_000)));
            }
            final CostModel.Fit fit = CostModel.fit(runs);
            final double[] expected = normalEquations(runs);
            final String why = "seed " + seed + " trial " + trial;
            assertThat(fit.idleUsPerSecond()).as(why)
                .isCloseTo(expected[0], within(1e-6 * (1 + Math.abs(expected[0]))));
            assertThat(fit.entryUs()).as(why).isCloseTo(expected[1], within(1e-6 * (1 + Math.abs(expected[1]))));
            assertThat(fit.kibUs()).as(why).isCloseTo(expected[2], within(1e-6 * (1 + Math.abs(expected[2]))));
        }
    }

    /** The dumb way: X'X b = X'y with X = [1, entries, KiB], by Gaussian elimination with partial pivoting. */
    private static double[] normalEquations(final List<CostModel.Run> runs)
    {
        final double[][] a = new double[3][4];
        for (final CostModel.Run run : runs)
        {
            final double[] x = {1, run.entriesPerSecond(), run.kibPerSecond()};
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    a[i][j] += x[i] * x[j];
                }
                a[i][3] += x[i] * run.cpuUsPerSecond();
            }
        }
        for (int col = 0; col < 3; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < 3; row++)
            {
                pivot = Math.abs(a[row][col]) > Math.abs(a[pivot][col]) ? row : pivot;
            }
            final double[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            for (int row = 0; row < 3; row++)
            {
                if (row != col)
                {
                    final double factor = a[row][col] / a[col][col];
                    for (int k = col; k < 4; k++)
                    {
                        a[row][k] -= factor * a[col][k];
                    }
                }
            }
        }
        return new double[] {a[0][3] / a[0][0], a[1][3] / a[1][1], a[2][3] / a[2][2]};
    }

    @Test
    void refusesRunsThatCannotSeparateEntriesFromBytes()
    {
        assertThatThrownBy(() -> CostModel.fit(List.of(run(100, 1000, 0), run(200, 2000, 0))))
            .hasMessageContaining("at least 3 runs");
        // Same records per entry and the same size everywhere: bytes follow entries exactly.
        assertThatThrownBy(() -> CostModel.fit(List.of(run(100, 1000, 0), run(200, 2000, 0), run(400, 4000, 0))))
            .hasMessageContaining("do not vary independently").hasMessageContaining("KiB per entry");
        assertThatThrownBy(() -> CostModel.fit(List.of(run(100, 1000, 0), run(100, 2000, 0), run(100, 4000, 0))))
            .hasMessageContaining("the same entries/s");
    }

    @Test
    void readsTheRunsThatBenchWrites(@TempDir final Path dir) throws Exception
    {
        final List<Path> dirs = new ArrayList<>();
        int i = 0;
        for (final CostModel.Run run : runs(new SplittableRandom(2), 0))
        {
            final Path runDir = dir.resolve("run" + i++);
            Files.createDirectories(runDir);
            Files.writeString(runDir.resolve("summary.json"), summaryOf(run, true).toJson());
            dirs.add(runDir);
        }
        final List<CostModel.Run> read = new ArrayList<>();
        for (final Path runDir : dirs)
        {
            read.add(CostModel.read(runDir));
        }
        final CostModel.Fit fit = CostModel.fit(read);
        // summary.json rounds entries/s to 0.001, CPU us/s and bytes/s to 1.
        assertThat(fit.entryUs()).isCloseTo(ENTRY_US, within(ENTRY_US * 1e-3));
        assertThat(fit.kibUs()).isCloseTo(KIB_US, within(KIB_US * 1e-3));
        assertThat(CostModel.report(fit, read))
            .contains("C_entry", "us per entry", "c_byte", "us per KiB", "idle", "R^2", "run0");

        final Path remote = dir.resolve("remote");
        Files.createDirectories(remote);
        Files.writeString(remote.resolve("summary.json"), summaryOf(run(10, 10, 0), false).toJson());
        assertThatThrownBy(() -> CostModel.read(remote)).hasMessageContaining("nodes' CPU was not measured");
        assertThatThrownBy(() -> CostModel.read(dir.resolve("missing"))).hasMessageContaining("does not exist");
    }

    /** A summary whose resources say {@code run}: a 1,000-second interval, 1 KiB values. */
    private static LoadSummary summaryOf(final CostModel.Run run, final boolean nodesMeasured)
    {
        final double seconds = 1000;
        final long records = Math.round(run.kibPerSecond() * seconds);
        final ResourceSummary.Raft raft =
            new ResourceSummary.Raft(seconds, Math.round(run.entriesPerSecond() * seconds), records,
            records, 0, 12, 0, 5.0, null);
        final ResourceSummary.Cpu cpu = new ResourceSummary.Cpu(seconds, nodesMeasured,
            List.of(new ResourceSummary.ProcessTime("load-generator", 1, run.cpuUsPerSecond() * seconds / 1e6 / 4, 0),
                new ResourceSummary.ProcessTime("n1", 2, run.cpuUsPerSecond() * seconds / 1e6 * 3 / 4, 0.1)),
            records, run.kibPerSecond() * 1024, 50, ProcStat.LoadAverages.UNKNOWN, new ProcStat.LoadAverages(1, 2, 3),
                List.of());
        return new LoadSummary("tributary-aeron", "rate", "fsync", 5000, 1024, 3, 3, 1, 100, "uniform", seconds, 1, 1,
            records,
            records, 0, 0, records / seconds, records / seconds * 1024 / 1e6, null, null, null,
                new ResourceSummary(raft, cpu));
    }
}
