package io.tributary.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class MachineLoadTest
{
    @Test
    void busyShareLeavesOutIdleAndIowait()
    {
        final long[] before = MachineLoad.parseCpuLine("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\n");
        final long[] after = MachineLoad.parseCpuLine("cpu  250 0 150 900 200 0 0 0 5 0\ncpu0 1 2 3 4\n");
        // 200 busy (user 150 + system 50) of 500 jiffies; guest columns are not counted twice.
        assertThat(after).hasSize(8);
        assertThat(MachineLoad.busyPercent(before, after)).isEqualTo(40.0);
    }

    @Test
    void noTimeElapsedIsNotAMeasurement()
    {
        final long[] same = MachineLoad.parseCpuLine("cpu  1 2 3 4 5 6 7 8\n");
        assertThat(MachineLoad.busyPercent(same, same)).isNaN();
        assertThat(MachineLoad.parseCpuLine("intr 5\n")).isNull();
    }

    @Test
    void samplesThisMachineWhereProcExists() throws Exception
    {
        final MachineLoad load = MachineLoad.start();
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        MachineLoad.Sample sample = MachineLoad.Sample.NONE;
        if (Files.isReadable(Path.of("/proc/stat")))
        {
            while (System.nanoTime() - deadlineNs < 0 && sample.samples() == 0)
            {
                LockSupport.parkNanos(200_000_000L); // polling with a deadline for the first sample
                sample = load.peek();
            }
        }
        final MachineLoad.Sample end = load.stop();
        if (sample.samples() > 0)
        {
            assertThat(end.cpuBusyPercentMean()).isBetween(0.0, 100.0);
            assertThat(end.loadAverageMax()).isGreaterThanOrEqualTo(0.0);
        }
    }
}
