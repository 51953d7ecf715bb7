package io.tributary.bench.load;

import static io.tributary.bench.load.ProcStatTest.statLine;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CPU and JIT time of processes, read from a /proc tree built by the test. */
class ProcessCpuTest
{
    @TempDir
    Path proc;

    private void process(final long pid, final long cpuTicks) throws IOException
    {
        Files.createDirectories(proc.resolve(pid + "/task"));
        Files.writeString(proc.resolve(pid + "/stat"), statLine(pid, "java", cpuTicks - 10, 10, 100));
    }

    private void thread(final long pid, final long tid, final String comm, final long cpuTicks) throws IOException
    {
        Files.createDirectories(proc.resolve(pid + "/task/" + tid));
        Files.writeString(proc.resolve(pid + "/task/" + tid + "/stat"), statLine(tid, comm, cpuTicks, 0, 100));
    }

    private void threadExits(final long pid, final long tid) throws IOException
    {
        Files.delete(proc.resolve(pid + "/task/" + tid + "/stat"));
        Files.delete(proc.resolve(pid + "/task/" + tid));
    }

    private void machine(final long busyJiffies, final long idleJiffies) throws IOException
    {
        Files.writeString(proc.resolve("stat"), "cpu  " + busyJiffies + " 0 0 " + idleJiffies
            + " 0 0 0 0 0 0\ncpu0 1 1 1 1\n");
        Files.writeString(proc.resolve("loadavg"), "1.50 0.75 0.25 3/300 4242\n");
    }

    @Test
    void sumsEachProcessAndItsCompilerThreads_CountingThreadsBornLaterFromZero() throws Exception
    {
        process(100, 500);
        thread(100, 100, "java", 50);
        thread(100, 101, "C2 CompilerThre", 200);
        thread(100, 102, "C1 CompilerThre", 30);
        thread(100, 103, "VM Thread", 40);
        process(200, 1000);
        thread(200, 201, "C2 CompilerThre", 400);
        machine(1000, 1000);
        final ProcessCpu cpu = new ProcessCpu(proc, List.of(new ProcessCpu.Measured("load-generator", 100),
            new ProcessCpu.Measured("n1", 200)), 100);
        assertThat(cpu.available()).isTrue();

        final ProcessCpu.Reading first = cpu.read();
        assertThat(first.cpuTicks()).containsExactly(500, 1000);
        assertThat(first.jitTicks()).as("time before the first reading is not counted").containsExactly(0, 0);
        assertThat(first.loadAverages()).isEqualTo(new ProcStat.LoadAverages(1.5, 0.75, 0.25));

        process(100, 800);
        thread(100, 101, "C2 CompilerThre", 260); // +60
        thread(100, 102, "C1 CompilerThre", 35); // +5
        thread(100, 103, "VM Thread", 90); // not a compiler thread
        thread(100, 104, "C2 CompilerThre", 25); // born since: all of its 25
        process(200, 1300);
        threadExits(200, 201); // a compiler thread that stopped: its last interval is lost, nothing goes negative
        machine(1150, 1050);
        final ProcessCpu.Reading second = cpu.read();
        assertThat(second.cpuTicks()).containsExactly(800, 1300);
        assertThat(second.jitTicks()).containsExactly(90, 0);
        assertThat(ProcStat.busyPercent(first.machineJiffies(), second.machineJiffies())).isEqualTo(75.0);

        thread(100, 104, "C2 CompilerThre", 45); // +20
        thread(200, 202, "C2 CompilerThre", 7); // born since
        final ProcessCpu.Reading third = cpu.read();
        assertThat(third.jitTicks()).containsExactly(110, 7);
        assertThat(cpu.unreadable()).isEmpty();
    }

    @Test
    void aProcessThatExitedKeepsItsLastTimeAndIsNamed() throws Exception
    {
        process(300, 70);
        machine(1, 1);
        final ProcessCpu cpu = new ProcessCpu(proc, List.of(new ProcessCpu.Measured("n2", 300)), 100);
        assertThat(cpu.read().cpuTicks()).containsExactly(70);
        Files.delete(proc.resolve("300/stat"));
        Files.delete(proc.resolve("300/task"));
        assertThat(cpu.read().cpuTicks()).containsExactly(70);
        assertThat(cpu.unreadable()).containsExactly("n2");
    }

    @Test
    void thisJvmIsMeasuredFirstAndCompilerThreadsAreFoundByName() throws Exception
    {
        assertThat(ProcessCpu.isCompilerThread("C2 CompilerThre")).isTrue();
        assertThat(ProcessCpu.isCompilerThread("C1 CompilerThre")).isTrue();
        assertThat(ProcessCpu.isCompilerThread("C2 Compiler")).isFalse();
        assertThat(ProcessCpu.isCompilerThread("java")).isFalse();
        final ProcessCpu cpu = ProcessCpu.ofThisMachine(Map.of("n1", 1L));
        assertThat(cpu.processes().get(0))
            .isEqualTo(new ProcessCpu.Measured(ProcessCpu.LOAD_GENERATOR, ProcessHandle.current().pid()));
        assertThat(cpu.processes()).hasSize(2);
        assertThat(cpu.ticksPerSecond()).isPositive();
        if (cpu.available())
        {
            final ProcessCpu self = ProcessCpu.ofThisMachine(Map.of());
            final long before = self.read().cpuTicks()[0];
            final long deadlineNs = System.nanoTime() + 10_000_000_000L;
            long spin = 0;
            while (self.read().cpuTicks()[0] <= before && System.nanoTime() - deadlineNs < 0)
            {
                spin += Long.numberOfTrailingZeros(spin + System.nanoTime()); // burn CPU until a tick is counted
            }
            assertThat(self.read().cpuTicks()[0]).as("spun %d", spin).isGreaterThan(before);
        }
    }
}
