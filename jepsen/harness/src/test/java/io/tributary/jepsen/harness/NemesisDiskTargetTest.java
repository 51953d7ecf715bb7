package io.tributary.jepsen.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.tributary.jepsen.testing.Seeds;

/**
 * Disk faults of a run stay on one node ({@link Nemesis#diskTarget}): damage is never spread over two replicas of a
 * shard, which no RF 3 system survives.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NemesisDiskTargetTest
{
    @Test
    void theFirstDiskFaultPicksARunningNodeAndEveryLaterOneTheSameNodeOrNone()
    {
        final Random choices = new Random(Seeds.base("NemesisDiskTargetTest"));
        final List<String> running = new ArrayList<>(List.of("n1", "n2", "n3", "n4", "n5"));
        final String first = Nemesis.diskTarget(running, null, choices);
        assertThat(first).isIn(running);
        for (int fault = 0; fault < 200; fault++)
        {
            // Whatever else runs or stops meanwhile, only the damaged node is ever chosen again.
            final List<String> now = new ArrayList<>(running);
            now.remove(running.get(choices.nextInt(running.size())));
            final String target = Nemesis.diskTarget(now, first, choices);
            assertThat(target).as("fault %d with %s running", fault, now).isEqualTo(now.contains(first) ? first : null);
        }
    }

    @Test
    void nothingIsChosenWhenNoNodeRuns()
    {
        assertThat(Nemesis.diskTarget(List.of(), null, new Random(1))).isNull();
        assertThat(Nemesis.diskTarget(List.of(), "n2", new Random(1))).isNull();
    }
}
