package io.tributary.jepsen.harness.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery after each fault and latency outside fault windows (issue #14, point 9), on hand-built histories. */
class AvailabilityTest
{
    @TempDir
    Path dir;

    /** 100 writes a second taking {@code latencyMs} each, from {@code fromMs} to {@code toMs}, one process each. */
    private static void steady(final TestHistory history, final long process, final long fromMs, final long toMs,
        final long latencyMs)
    {
        steady(history, process, fromMs, toMs, latencyMs, 10);
    }

    private static void steady(final TestHistory history, final long process, final long fromMs, final long toMs,
        final long latencyMs, final long everyMs)
    {
        for (long t = fromMs; t < toMs; t += everyMs)
        {
            history.write(process * 1_000_000 + t, "k", t, t, t + latencyMs);
        }
    }

    @Test
    void recoveryIsTheTimeFromTheHealUntilOneSecondHoldsNinetyPercentOfTheRateBefore() throws Exception
    {
        TestHistory history = new TestHistory();
        steady(history, 1, 0, 10_000, 5);
        history.nemesis("start", "partition", "isolate n1", 10_000);
        history.nemesis("stop", "partition", "isolate n1", 14_000);
        // 20 slow writes (500 ms) invoked just after the heal; the old rate from 16 s.
        steady(history, 2, 15_000, 15_200, 500);
        steady(history, 3, 16_000, 25_000, 5);
        history.nemesis("start", "kill", "n2", 22_000);
        history.nemesis("stop", "kill", "n2", 22_500);

        HistoryFile file = history.read(dir);
        List<Availability.FaultRecovery> recoveries = Availability.recoveries(file);
        assertThat(recoveries).hasSize(2);
        assertThat(recoveries.get(0).preFaultOpsPerS()).isEqualTo(100.0);
        assertThat(recoveries.get(0).recoveryS()).as("from 14 s to 15.9 s, whose next second holds 90 completions")
            .isEqualTo(1.9);
        assertThat(recoveries.get(1).recoveryS()).as("no dip: recovered at the heal").isEqualTo(0.0);

        Map<String, Object> summary = Availability.summary(file, recoveries);
        assertThat(summary.get("recoveryMaxS")).isEqualTo(1.9);
        assertThat(summary.get("recoveredWithin5s")).isEqualTo(2L);
        assertThat(summary.get("notRecovered")).isEqualTo(0);
        assertThat(summary.get("unmeasured")).isEqualTo(0);
        assertThat(summary.get("p99OutsideFaultsMs")).as("only 5 ms writes lie outside the windows").isEqualTo(5.0);
        assertThat(summary.get("p99InsideFaultsMs")).isEqualTo(500.0);
    }

    @Test
    void anOperationInFlightWhenAFaultBeginsCountsAsInsideIt() throws Exception
    {
        TestHistory history = new TestHistory();
        steady(history, 1, 0, 10_000, 5);
        // Invoked 100 ms before the kill, answered 3 s later: the kill held it back, not the cluster outside faults.
        history.write(2_000_000 + 9_900, "k", 9_900, 9_900, 12_900);
        history.nemesis("start", "kill", "n1", 10_000);
        history.nemesis("stop", "kill", "n1", 12_000);
        steady(history, 1, 12_010, 20_000, 5);
        HistoryFile file = history.read(dir);
        Map<String, Object> summary = Availability.summary(file, Availability.recoveries(file));
        assertThat(summary.get("p99OutsideFaultsMs")).isEqualTo(5.0);
        assertThat(summary.get("p99InsideFaultsMs")).isEqualTo(3000.0);
        assertThat(summary.get("okInsideFaults")).isEqualTo(1);
    }

    @Test
    void aFaultFollowedWithinFiveSecondsByTheNextIsMeasuredOnlyIfItRecoveredBeforeIt() throws Exception
    {
        TestHistory history = new TestHistory();
        steady(history, 1, 0, 10_000, 5);
        history.nemesis("start", "kill", "n1", 10_000);
        history.nemesis("stop", "kill", "n1", 12_000);
        // Half the rate until the next fault, 3 s after the heal, and through it: the kill is not judged by it.
        steady(history, 1, 10_000, 22_000, 5, 20);
        history.nemesis("start", "pause", "n2", 15_000);
        history.nemesis("stop", "pause", "n2", 16_000);
        steady(history, 1, 22_000, 40_000, 5);
        HistoryFile file = history.read(dir);
        List<Availability.FaultRecovery> recoveries = Availability.recoveries(file);
        assertThat(recoveries.get(0).measured()).as("3 s to the next fault: not enough to judge").isFalse();
        assertThat(recoveries.get(1).recoveryS()).as("against the rate of the 5 s before it, already half")
            .isEqualTo(0.0);
        Map<String, Object> summary = Availability.summary(file, recoveries);
        assertThat(summary).containsEntry("unmeasured", 1).containsEntry("notRecovered", 0)
            .containsEntry("recoveredWithin5s", 1L);
    }

    @Test
    void theWarmUpAndTheFinalReadsStayOutOfTheLatencyOutsideFaults() throws Exception
    {
        TestHistory history = new TestHistory();
        // The first second: cold JVMs, 200 ms each (100 writes: 5% of all).
        steady(history, 1, 0, 1_000, 200, 10);
        steady(history, 2, 1_000, 20_000, 5);
        history.nemesis("start", "heal", "final", 20_000);
        history.nemesis("stop", "heal", "final", 20_100);
        // A final read of the whole log: 2 s.
        history.write(3_000_000, "k", 20_200, 20_200, 22_200);
        HistoryFile file = history.read(dir);
        Map<String, Object> summary = Availability.summary(file, Availability.recoveries(file));
        assertThat(summary.get("p99OutsideFaultsMs")).isEqualTo(5.0);
        assertThat(summary.get("p99OutsideFaultsWithWarmupMs")).isEqualTo(200.0);
        assertThat(summary.get("okOutsideFaults")).as("after the warm-up, without the final read").isEqualTo(1_500);
    }

    @Test
    void aFaultHealedAfterTheWorkloadStoppedInvokingIsUnmeasuredEvenIfAnOperationEndsLater() throws Exception
    {
        TestHistory history = new TestHistory();
        steady(history, 1, 0, 20_000, 5);
        // Invoked at 19.5 s, answered at 25 s, after the heal at 20.5 s: the workload itself ended at 20 s.
        history.write(2_000_000, "k", 19_500, 19_500, 25_000);
        history.nemesis("start", "kill", "n1", 15_000);
        history.nemesis("stop", "kill", "n1", 20_500);
        HistoryFile file = history.read(dir);
        List<Availability.FaultRecovery> recoveries = Availability.recoveries(file);
        assertThat(recoveries.get(0).measured()).isFalse();
        Map<String, Object> summary = Availability.summary(file, recoveries);
        assertThat(summary.get("notRecovered")).isEqualTo(0);
        assertThat(summary.get("unmeasured")).isEqualTo(1);
    }

    @Test
    void overlappingFaultsAreMeasuredFromTheirLastHealAgainstTheLevelBeforeTheFirst() throws Exception
    {
        TestHistory history = new TestHistory();
        steady(history, 1, 0, 10_000, 5);
        history.nemesis("start", "partition", "isolate n1", 10_000);
        // Half the rate while either fault is in effect, and for 500 ms after the last heal.
        steady(history, 1, 10_000, 20_500, 5, 20);
        history.nemesis("start", "kill", "n2", 12_000);
        history.nemesis("stop", "partition", "isolate n1", 14_000);
        history.nemesis("stop", "kill", "n2", 20_000);
        steady(history, 1, 20_500, 30_000, 5);
        history.nemesis("start", "pause", "n3", 25_000);
        history.nemesis("stop", "pause", "n3", 26_000);
        HistoryFile file = history.read(dir);
        List<Availability.FaultRecovery> recoveries = Availability.recoveries(file);
        for (final Availability.FaultRecovery overlapped : recoveries.subList(0, 2))
        {
            assertThat(overlapped.preFaultOpsPerS()).as("the level before the first of them").isEqualTo(100.0);
            assertThat(file.seconds(overlapped.allClearNs())).isEqualTo(20.0);
            // From 20.3 s one second holds 10 completions at half rate and 80 at the full rate: 90, the 90% mark.
            assertThat(overlapped.recoveryS()).as("from the last heal at 20 s").isEqualTo(0.3);
        }
        assertThat(recoveries.get(2).allClearNs()).as("alone: its own heal")
            .isEqualTo(recoveries.get(2).fault().stopNs());
        assertThat(recoveries.get(2).recoveryS()).isEqualTo(0.0);
        Map<String, Object> summary = Availability.summary(file, recoveries);
        assertThat(summary.get("recoveredWithin5s")).isEqualTo(3L);
        assertThat(summary.get("p99OutsideFaultsMs")).isEqualTo(5.0);
    }

    @Test
    void aFaultNeverRecoveredFromHasNoRecoveryTimeAndAFaultAtTheStartNoLevel() throws Exception
    {
        TestHistory history = new TestHistory();
        history.nemesis("start", "pause", "n1", 0);
        history.nemesis("stop", "pause", "n1", 500);
        steady(history, 1, 0, 10_000, 5);
        history.nemesis("start", "partition", "halves", 10_000);
        history.nemesis("stop", "partition", "halves", 12_000);
        steady(history, 1, 12_000, 20_000, 5);
        HistoryFile file = history.read(dir);
        List<Availability.FaultRecovery> recoveries = Availability.recoveries(file);
        assertThat(recoveries.get(0).preFaultOpsPerS()).as("no second before it").isNull();
        assertThat(recoveries.get(1).recoveryS()).isEqualTo(0.0);

        TestHistory stuck = new TestHistory();
        steady(stuck, 1, 0, 10_000, 5);
        stuck.nemesis("start", "kill", "n1", 10_000);
        stuck.nemesis("stop", "kill", "n1", 11_000);
        steady(stuck, 1, 11_000, 20_000, 5, 50);
        HistoryFile stuckFile = stuck.read(Files.createDirectories(dir.resolve("stuck")));
        List<Availability.FaultRecovery> never = Availability.recoveries(stuckFile);
        assertThat(never.get(0).recoveryS()).as("never back at 90 per second").isNull();
        assertThat(Availability.summary(stuckFile, never).get("notRecovered")).isEqualTo(1);

        TestHistory ending = new TestHistory();
        steady(ending, 1, 0, 10_000, 5);
        ending.nemesis("start", "kill", "n1", 9_000);
        ending.nemesis("stop", "kill", "n1", 9_800);
        HistoryFile endingFile = ending.read(Files.createDirectories(dir.resolve("ending")));
        List<Availability.FaultRecovery> cut = Availability.recoveries(endingFile);
        assertThat(cut.get(0).measured()).as("less than a second of operations after the heal").isFalse();
        assertThat(Availability.summary(endingFile, cut)).containsEntry("unmeasured", 1)
            .containsEntry("notRecovered", 0);
    }
}
