package io.tributary.jepsen.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How concurrent faults ({@code --faults-at-once}) avoid each other, and the settings of the hard-path options. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NemesisLanesTest
{
    private static final List<Fault> ALL = List.of(Fault.values());

    @Test
    void aLaneStartsTheFaultItDrewWhenNothingClashes()
    {
        assertThat(Nemesis.pick(Fault.PARTITION, ALL, Set.of(Fault.KILL))).isEqualTo(Fault.PARTITION);
        assertThat(Nemesis.pick(Fault.KILL, ALL, Set.of())).isEqualTo(Fault.KILL);
    }

    @Test
    void twoFaultsOfOneKindNeverOverlap()
    {
        assertThat(Nemesis.pick(Fault.KILL, ALL, Set.of(Fault.KILL))).isEqualTo(Fault.PAUSE);
    }

    @Test
    void twoNetworkFaultsNeverOverlapAsOneHealUndoesBoth()
    {
        // The next kind after loss in enum order is disk.
        assertThat(Nemesis.pick(Fault.LOSS, ALL, Set.of(Fault.PARTITION))).isEqualTo(Fault.DISK);
        assertThat(Nemesis.pick(Fault.PARTITION, List.of(Fault.PARTITION, Fault.LOSS), Set.of(Fault.LOSS))).isNull();
    }

    @Test
    void theSearchWrapsAroundTheEnabledKinds()
    {
        assertThat(Nemesis.pick(Fault.PAUSE, List.of(Fault.PAUSE, Fault.KILL), Set.of(Fault.PAUSE)))
            .isEqualTo(Fault.KILL);
    }

    private static RunOptions options(final String workload, final long snapshotEntries, final long retentionBytes,
        final int faultsAtOnce)
    {
        return new RunOptions(workload, EnumSet.of(Fault.KILL), 5, Duration.ofSeconds(10), 10, 2, 3, 4, 1, Path.of("x"),
            "aeron", Map.of(), Duration.ofSeconds(10), false, faultsAtOnce, snapshotEntries, retentionBytes);
    }

    @Test
    void snapshotEntriesSetTheSnapshotIntervalAndATenthAsPurgeGap()
    {
        assertThat(JepsenRun.hardPathSettings(options(RunOptions.LOG, 200, -1, 1), Map.of()))
            .containsExactly(Map.entry("snapshot.auto.entries", "200"), Map.entry("raft.log.purge.gap", "20"));
        assertThat(JepsenRun.hardPathSettings(options(RunOptions.LOG, 0, -1, 1), Map.of())).isEmpty();
    }

    @Test
    void retentionRollsFilesEverySecondAndSnapshotsOftenAndNodeConfigWins()
    {
        assertThat(JepsenRun.hardPathSettings(options(RunOptions.LOG, 0, 4096, 2), Map.of()))
            .containsEntry("shard.roll.cycle", "TEST_SECONDLY").containsEntry("snapshot.auto.entries", "500");
        assertThat(JepsenRun.hardPathSettings(options(RunOptions.LOG, 0, 4096, 2),
            Map.of("shard.roll.cycle", "MINUTELY")))
            .doesNotContainKey("shard.roll.cycle");
    }

    @Test
    void badOptionsAreRefusedWithWhatToDo()
    {
        assertThatThrownBy(() -> options(RunOptions.LOG, 0, -1, 4))
            .hasMessageContaining("--faults-at-once must be 1, 2 or 3");
        assertThatThrownBy(() -> options(RunOptions.LOG, 5, -1, 1))
            .hasMessageContaining("--snapshot-entries must be at least 10");
        assertThatThrownBy(() -> options(RunOptions.LOG, 0, 0, 1))
            .hasMessageContaining("--retention-bytes must be positive");
        assertThatThrownBy(() -> options(RunOptions.REGISTER, 0, 4096, 1)).hasMessageContaining("needs --workload log");
    }
}
