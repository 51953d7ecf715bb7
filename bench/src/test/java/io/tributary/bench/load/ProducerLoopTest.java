package io.tributary.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fixed-rate loop's pacing: never early (latency is measured from the intended time), every
 * record of the schedule sent, and a fast schedule sent in ticks rather than a wake-up per record.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProducerLoopTest
{
    @Test
    void aFastScheduleGoesOutInTicksNeverEarlyAndComplete()
    {
        final long periodNs = TimeUnit.MICROSECONDS.toNanos(20); // 50,000 records/s
        final long durationNs = TimeUnit.MILLISECONDS.toNanos(200);
        final RecordingTarget target = new RecordingTarget();
        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        final LoadCounters counters = new LoadCounters(startNs);
        new ProducerLoop(target, new KeyChooser(16, LoadOptions.KeyDistribution.UNIFORM, 1), 64, 1, true, startNs,
            periodNs,
            startNs + durationNs, counters).run();

        assertThat(target.intendedNs).as("every record of the schedule").hasSize((int)(durationNs / periodNs));
        int bursts = 1;
        for (int i = 0; i < target.intendedNs.size(); i++)
        {
            assertThat(target.sentNs.get(i) - target.intendedNs.get(i)).as("record %d sent before its time", i)
                .isGreaterThanOrEqualTo(0);
            if (i > 0 && target.sentNs.get(i) - target.sentNs.get(i - 1) >= ProducerLoop.PACING_TICK_NS / 2)
            {
                bursts++;
            }
        }
        // One wake-up per record would make 10,000 bursts; ticks make at most one per tick (plus a scheduler's slack).
        assertThat(bursts).as("sends grouped by tick")
            .isLessThanOrEqualTo((int)(2 * durationNs / ProducerLoop.PACING_TICK_NS));
    }

    @Test
    void aSlowScheduleIsPacedRecordByRecord()
    {
        final long periodNs = TimeUnit.MILLISECONDS.toNanos(2);
        final long durationNs = TimeUnit.MILLISECONDS.toNanos(100);
        final RecordingTarget target = new RecordingTarget();
        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        new ProducerLoop(target, new KeyChooser(16, LoadOptions.KeyDistribution.UNIFORM, 1), 64, 1, true, startNs,
            periodNs,
            startNs + durationNs, new LoadCounters(startNs)).run();

        assertThat(target.intendedNs).hasSize(50);
        for (int i = 0; i < target.intendedNs.size(); i++)
        {
            assertThat(target.sentNs.get(i) - target.intendedNs.get(i)).as("record %d sent before its time", i)
                .isGreaterThanOrEqualTo(0);
        }
    }

    /** Records when each record was sent against when it was meant to be. */
    private static final class RecordingTarget implements LoadTarget
    {
        final List<Long> intendedNs = new ArrayList<>();
        final List<Long> sentNs = new ArrayList<>();

        @Override
        public void send(final byte[] key, final byte[] value, final long intended, final SendCallback callback)
        {
            sentNs.add(System.nanoTime());
            intendedNs.add(intended);
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    }
}
