package io.tributary.raft.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pacer's rule: no wait while the CPU has room, up to the longest as it saturates, smoothed, never on a guess. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class EntryPacerTest
{
    private static final long MAX_NS = TimeUnit.MILLISECONDS.toNanos(10);

    @Test
    void theIntervalIsZeroBelowTheLowLoadAndTheLongestAtTheHighOneAndLinearBetween()
    {
        assertThat(EntryPacer.intervalFor(0.0, MAX_NS)).isZero();
        assertThat(EntryPacer.intervalFor(EntryPacer.LOAD_LOW, MAX_NS)).isZero();
        assertThat(EntryPacer.intervalFor(EntryPacer.LOAD_HIGH, MAX_NS)).isEqualTo(MAX_NS);
        assertThat(EntryPacer.intervalFor(1.0, MAX_NS)).isEqualTo(MAX_NS);
        final double middle = (EntryPacer.LOAD_LOW + EntryPacer.LOAD_HIGH) / 2;
        assertThat(EntryPacer.intervalFor(middle, MAX_NS)).isBetween(MAX_NS / 2 - 1000, MAX_NS / 2 + 1000);
        assertThat(EntryPacer.intervalFor(EntryPacer.LOAD_LOW + 0.001, MAX_NS))
            .as("shorter than a timer is worth: no wait").isZero();
        assertThat(EntryPacer.intervalFor(1.0, 0)).as("pacing off").isZero();
    }

    @Test
    void aSustainedSaturationReachesTheLongestIntervalAndAQuietMachineReturnsToNone()
    {
        final double[] load = {1.0};
        final EntryPacer pacer = new EntryPacer(MAX_NS, () -> load[0]);
        assertThat(pacer.enabled()).isTrue();
        assertThat(pacer.intervalNs()).isZero();
        pacer.sample();
        assertThat(pacer.intervalNs()).as("one busy sample after quiet ones: smoothed below the low load").isZero();
        pacer.sample();
        assertThat(pacer.intervalNs()).as("two move it part of the way").isPositive().isLessThan(MAX_NS);
        for (int i = 0; i < 20; i++)
        {
            pacer.sample();
        }
        assertThat(pacer.intervalNs()).isBetween(MAX_NS * 99 / 100, MAX_NS);
        load[0] = 0.2;
        for (int i = 0; i < 20; i++)
        {
            pacer.sample();
        }
        assertThat(pacer.intervalNs()).isZero();
    }

    @Test
    void aSingleBusySampleAmongQuietOnesDoesNotReachTheLongestInterval()
    {
        final double[] load = {0.3};
        final EntryPacer pacer = new EntryPacer(MAX_NS, () -> load[0]);
        for (int i = 0; i < 10; i++)
        {
            pacer.sample();
        }
        load[0] = 1.0;
        pacer.sample();
        assertThat(pacer.intervalNs()).as("a GC or a compile burst is smoothed").isLessThan(MAX_NS / 2);
    }

    @Test
    void anUnknownLoadNeverPaces()
    {
        final double[] load = {1.0};
        final EntryPacer pacer = new EntryPacer(MAX_NS, () -> load[0]);
        for (int i = 0; i < 10; i++)
        {
            pacer.sample();
        }
        assertThat(pacer.intervalNs()).isPositive();
        load[0] = -1;
        pacer.sample();
        assertThat(pacer.intervalNs()).isZero();
        load[0] = Double.NaN;
        pacer.sample();
        assertThat(pacer.intervalNs()).isZero();
    }

    @Test
    void pacingOffOrANegativeLongestIntervalIsRefusedOrInert()
    {
        assertThat(EntryPacer.forMachine(0).enabled()).isFalse();
        assertThat(EntryPacer.forMachine(MAX_NS).enabled()).as("HotSpot reports the machine's load").isTrue();
        assertThatThrownBy(() -> new EntryPacer(-1, () -> 0.5)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("-1 ns");
    }
}
