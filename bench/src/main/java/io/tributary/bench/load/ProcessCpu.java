package io.tributary.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of the processes a run measures (the load generator's JVM, and with {@code --local}
 * every node JVM) and of their JIT compiler threads, with the machine's {@code cpu} line and load
 * averages: everything read from /proc, so nothing runs inside the measured processes. Linux
 * only: elsewhere {@link #available()} is false. Not thread-safe: one sampler thread reads.
 */
public final class ProcessCpu
{
    /** A measured process: a name for reports ({@code load-generator}, a node id) and its pid. */
    public record Measured(String name, long pid)
    {
    }

    /**
     * Cumulative counters at one moment, in clock ticks: each process's utime + stime and the CPU
     * time of its C1/C2 compiler threads since the first reading. {@code machineJiffies} is null
     * when /proc/stat could not be read.
     */
    public record Reading(long[] cpuTicks, long[] jitTicks, long[] machineJiffies, ProcStat.LoadAverages loadAverages)
    {
    }

    public static final String LOAD_GENERATOR = "load-generator";
    /** The kernel keeps 15 characters of a thread's name: HotSpot's "C2 CompilerThread0" is "C2 CompilerThre". */
    private static final List<String> COMPILER_THREAD_PREFIXES = List.of("C1 CompilerThre", "C2 CompilerThre");
    private static final long DEFAULT_TICKS_PER_SECOND = 100;

    private final Path procRoot;
    private final List<Measured> processes;
    private final long ticksPerSecond;
    private final long[] lastCpuTicks;
    private final List<CompilerThreads> compilerThreads = new ArrayList<>();
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet(); // read by the reporting thread

    ProcessCpu(final Path procRoot, final List<Measured> processes, final long ticksPerSecond)
    {
        if (ticksPerSecond <= 0)
        {
            throw new IllegalArgumentException("clock ticks per second must be > 0, was " + ticksPerSecond);
        }
        this.procRoot = procRoot;
        this.processes = List.copyOf(processes);
        this.ticksPerSecond = ticksPerSecond;
        this.lastCpuTicks = new long[processes.size()];
        for (final Measured process : processes)
        {
            compilerThreads.add(new CompilerThreads(procRoot.resolve(Long.toString(process.pid())).resolve("task")));
        }
    }

    /** This JVM, named {@link #LOAD_GENERATOR}, and the given processes (node id to pid), read from /proc. */
    public static ProcessCpu ofThisMachine(final Map<String, Long> otherPids)
    {
        final List<Measured> processes = new ArrayList<>();
        processes.add(new Measured(LOAD_GENERATOR, ProcessHandle.current().pid()));
        otherPids.forEach((name, pid) -> processes.add(new Measured(name, pid)));
        return new ProcessCpu(Path.of("/proc"), processes, clockTicksPerSecond());
    }

    public boolean available()
    {
        return Files.isReadable(procRoot.resolve("stat"));
    }

    public List<Measured> processes()
    {
        return processes;
    }

    public long ticksPerSecond()
    {
        return ticksPerSecond;
    }

    /** Processes whose stat could not be read at some reading (exited): their time after that is missing. */
    public Set<String> unreadable()
    {
        return Set.copyOf(unreadable);
    }

    public Reading read()
    {
        final long[] cpu = new long[processes.size()];
        final long[] jit = new long[processes.size()];
        for (int i = 0; i < processes.size(); i++)
        {
            final Measured process = processes.get(i);
            final String stat = readOrNull(procRoot.resolve(Long.toString(process.pid())).resolve("stat"));
            if (stat == null)
            {
                unreadable.add(process.name());
                cpu[i] = lastCpuTicks[i]; // an exited process's time stops counting; reported as unreadable
            }
            else
            {
                cpu[i] = ProcStat.parseTaskStat(stat).cpuTicks();
                lastCpuTicks[i] = cpu[i];
            }
            jit[i] = compilerThreads.get(i).read();
        }
        final String machine = readOrNull(procRoot.resolve("stat"));
        final String loadavg = readOrNull(procRoot.resolve("loadavg"));
        return new Reading(cpu, jit, machine == null ? null : ProcStat.parseCpuLine(machine),
            loadavg == null ? ProcStat.LoadAverages.UNKNOWN : ProcStat.parseLoadAverages(loadavg));
    }

    static boolean isCompilerThread(final String comm)
    {
        for (final String prefix : COMPILER_THREAD_PREFIXES)
        {
            if (comm.startsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }

    private static String readOrNull(final Path file)
    {
        try
        {
            return Files.readString(file, StandardCharsets.US_ASCII);
        }
        catch (final IOException e)
        {
            return null; // the process or thread exited between listing and reading
        }
    }

    /**
     * The kernel's USER_HZ, the unit of /proc's CPU times: 100 on every usual Linux build, asked of getconf to be sure.
     */
    static long clockTicksPerSecond()
    {
        try
        {
            final Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            final String text = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0)
            {
                return Long.parseLong(text);
            }
        }
        catch (final IOException | NumberFormatException e)
        {
            return DEFAULT_TICKS_PER_SECOND;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        return DEFAULT_TICKS_PER_SECOND;
    }

    /**
     * The CPU time of one process's compiler threads, summed since the first reading. HotSpot
     * starts and stops compiler threads as the queue grows and shrinks, and an exited thread's
     * time is only in the process's total, so the threads are read at every sample (a thread that
     * exits loses at most one interval) and one first seen after the first reading counts from
     * zero. Only new threads' stat is read to classify them, so a sample reads a few files per JVM,
     * not one per thread. (A thread id reused by a compiler thread within one interval would be
     * missed; the kernel hands out ids in sequence, so that takes a wrap of pid_max.)
     */
    private static final class CompilerThreads
    {
        private final Path taskDir;
        private Map<Long, Long> compilerTicksByTid = new HashMap<>();
        private Set<Long> otherTids = new HashSet<>();
        private long accumulatedTicks;
        private boolean first = true;

        CompilerThreads(final Path taskDir)
        {
            this.taskDir = taskDir;
        }

        long read()
        {
            final Map<Long, Long> compilers = new HashMap<>();
            final Set<Long> others = new HashSet<>();
            for (final long tid : tids())
            {
                if (otherTids.contains(tid))
                {
                    others.add(tid);
                    continue;
                }
                final String line = readOrNull(taskDir.resolve(Long.toString(tid)).resolve("stat"));
                if (line == null)
                {
                    continue;
                }
                final ProcStat.TaskStat stat = ProcStat.parseTaskStat(line);
                if (!isCompilerThread(stat.comm()))
                {
                    others.add(tid);
                    continue;
                }
                final Long last = compilerTicksByTid.get(tid);
                final long baseTicks = last != null ? last : first ? stat.cpuTicks() : 0;
                accumulatedTicks += Math.max(0, stat.cpuTicks() - baseTicks);
                compilers.put(tid, stat.cpuTicks());
            }
            compilerTicksByTid = compilers;
            otherTids = others;
            first = false;
            return accumulatedTicks;
        }

        private List<Long> tids()
        {
            final List<Long> tids = new ArrayList<>();
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(taskDir))
            {
                for (final Path task : tasks)
                {
                    tids.add(Long.parseLong(task.getFileName().toString()));
                }
            }
            catch (final IOException | DirectoryIteratorException | NumberFormatException e)
            {
                return List.of(); // the process exited: its stat read says so
            }
            return tids;
        }
    }
}
