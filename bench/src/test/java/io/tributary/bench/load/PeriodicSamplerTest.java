package io.tributary.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sampling schedule: every second, each mark exactly, late ticks skipped but never a mark. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PeriodicSamplerTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    @Test
    void ticksEverySecondWithMarksBetween_SkipsLateTicksButNotMarks() throws Exception
    {
        final long firstNs = 1_000 * S;
        try (PeriodicSampler<Integer> sampler =
            new PeriodicSampler<>("test", () -> 1, firstNs, firstNs + 2_500 * MS, firstNs + 7 * S))
        {
            assertThat(sampler.nextDueOffsetNs(0, 100 * MS, 10 * MS)).isEqualTo(S);
            assertThat(sampler.nextDueOffsetNs(2 * S, 2_100 * MS, 10 * MS)).isEqualTo(2_500 * MS);
            assertThat(sampler.nextDueOffsetNs(2_500 * MS, 2_600 * MS, 10 * MS)).isEqualTo(3 * S);
            assertThat(sampler.nextDueOffsetNs(3 * S, 5_300 * MS, 10 * MS))
                .as("a slow sample: the missed ticks are skipped")
                .isEqualTo(5 * S);
            assertThat(sampler.nextDueOffsetNs(5 * S, 9_200 * MS, 10 * MS)).as("a mark is taken late, never skipped")
                .isEqualTo(7 * S);
            assertThat(sampler.nextDueOffsetNs(7 * S, 9_200 * MS, 10 * MS)).isEqualTo(9 * S);
            assertThat(sampler.nextDueOffsetNs(7 * S, 7_000 * MS, 10 * MS)).isEqualTo(8 * S);
            assertThat(sampler.nextDueOffsetNs(S, 1_900 * MS, 800 * MS))
                .as("the tick at 2 s would still run at the mark")
                .isEqualTo(2_500 * MS);
            assertThat(sampler.nextDueOffsetNs(S, 1_100 * MS, 400 * MS)).as("the tick at 2 s ends before the mark")
                .isEqualTo(2 * S);
        }
    }

    @Test
    void samplesAtTheMarkAndEachSecond_RecordingFailures() throws Exception
    {
        final AtomicInteger calls = new AtomicInteger();
        final long firstNs = System.nanoTime() + 50 * MS;
        final long markNs = firstNs + 300 * MS;
        try (PeriodicSampler<Integer> sampler = new PeriodicSampler<>("test-sampler", () ->
        {
            final int call = calls.incrementAndGet();
            if (call == 2)
            {
                throw new IllegalStateException("no leader");
            }
            return call;
        }, firstNs, markNs).start())
        {
            final PeriodicSampler.Point<Integer> mark = sampler.awaitMark(markNs, 10 * S);
            assertThat(mark).isNotNull();
            assertThat(mark.dueNs()).isEqualTo(markNs);
            assertThat(mark.takenNs() - markNs).isNotNegative();
            assertThat(mark.value()).as("the first sample succeeded, the mark's failed").isNull();
            assertThat(mark.error()).contains("IllegalStateException: no leader");
            final PeriodicSampler.Point<Integer> second = sampler.await(firstNs + S, 10 * S);
            assertThat(second.dueNs()).isEqualTo(firstNs + S);
            assertThat(second.value()).isEqualTo(3);
            assertThat(sampler.failures()).isEqualTo(1);
            assertThat(sampler.firstError()).contains("no leader");
            assertThat(sampler.samples()).isGreaterThanOrEqualTo(3);
            assertThat(sampler.sampleMsMean()).isNotNegative();
        }
    }
}
