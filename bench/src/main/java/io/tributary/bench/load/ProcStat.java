package io.tributary.bench.load;

import java.util.Locale;

/**
 * Parsers for the Linux /proc files the load generator reads: {@code /proc/<pid>/stat} (and a
 * thread's {@code /proc/<pid>/task/<tid>/stat}, same layout), the first line of {@code /proc/stat}
 * and {@code /proc/loadavg}. Pure functions of the text, so tests feed them sample lines.
 */
public final class ProcStat
{
    /**
     * Fields 14 (utime), 15 (stime) and 22 (starttime) of proc(5), counted from the first field
     * after the command, which is field 3 (state).
     */
    private static final int UTIME_AFTER_COMM = 14 - 3;
    private static final int STIME_AFTER_COMM = 15 - 3;
    private static final int START_TIME_AFTER_COMM = 22 - 3;
    /** user nice system idle iowait irq softirq steal: guest and guest_nice are already in user and nice. */
    private static final int CPU_LINE_FIELDS_MAX = 8;
    private static final int IDLE = 3;
    private static final int IOWAIT = 4;

    /** One process or thread: its command (comm, at most 15 characters), state and CPU time in clock ticks. */
    public record TaskStat(long pid, String comm, char state, long userTicks, long systemTicks, long startTimeTicks)
    {
        public long cpuTicks()
        {
            return userTicks + systemTicks;
        }
    }

    /** The 1, 5 and 15 minute load averages, as {@code uptime} prints them. */
    public record LoadAverages(double oneMinute, double fiveMinutes, double fifteenMinutes)
    {
        public static final LoadAverages UNKNOWN = new LoadAverages(Double.NaN, Double.NaN, Double.NaN);

        public String toJson()
        {
            return "[" + Json.number(oneMinute, 2) + ", " + Json.number(fiveMinutes, 2) + ", "
                + Json.number(fifteenMinutes, 2) + "]";
        }

        @Override
        public String toString()
        {
            return String.format(Locale.ROOT, "%.2f %.2f %.2f", oneMinute, fiveMinutes, fifteenMinutes);
        }
    }

    private ProcStat()
    {
    }

    /**
     * Parses a {@code stat} line. The command is in parentheses and may itself hold spaces and
     * parentheses (a thread may name itself {@code "a) b ("}), so it runs from the first '(' to
     * the last ')': nothing after it can contain one.
     *
     * @throws IllegalArgumentException naming what is missing, with the line
     */
    public static TaskStat parseTaskStat(final String line)
    {
        final int open = line.indexOf('(');
        final int close = line.lastIndexOf(')');
        if (open <= 0 || close < open)
        {
            throw new IllegalArgumentException("not a /proc stat line (no '(comm)' after the pid): '" + line.strip()
                + "'");
        }
        final String[] rest = line.substring(close + 1).strip().split(" +");
        if (rest.length <= START_TIME_AFTER_COMM)
        {
            throw new IllegalArgumentException("a /proc stat line has " + (rest.length + 2)
                + " fields, expected at least " + (START_TIME_AFTER_COMM + 3) + ": '" + line.strip() + "'");
        }
        try
        {
            return new TaskStat(Long.parseLong(line.substring(0, open).strip()), line.substring(open + 1, close),
                rest[0].charAt(0),
                Long.parseLong(rest[UTIME_AFTER_COMM]), Long.parseLong(rest[STIME_AFTER_COMM]),
                    Long.parseLong(rest[START_TIME_AFTER_COMM]));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("a /proc stat line has a field that is not a number (" + e.getMessage()
                + "): '" + line.strip() + "'", e);
        }
    }

    /** The jiffies of the all-cores {@code cpu} line of /proc/stat's text, or null if it has none. */
    public static long[] parseCpuLine(final String statText)
    {
        final String line = statText.lines().filter(l -> l.startsWith("cpu ")).findFirst().orElse(null);
        if (line == null)
        {
            return null;
        }
        final String[] fields = line.trim().split("\\s+");
        final long[] values = new long[Math.min(CPU_LINE_FIELDS_MAX, fields.length - 1)];
        if (values.length <= IDLE)
        {
            return null;
        }
        for (int i = 0; i < values.length; i++)
        {
            values[i] = Long.parseLong(fields[i + 1]);
        }
        return values;
    }

    /**
     * The machine's busy share between two {@code cpu} lines: everything but idle and iowait; NaN if no time passed.
     */
    public static double busyPercent(final long[] before, final long[] after)
    {
        long total = 0;
        for (int i = 0; i < Math.min(before.length, after.length); i++)
        {
            total += after[i] - before[i];
        }
        final long idle = (after[IDLE] - before[IDLE])
            + (after.length > IOWAIT && before.length > IOWAIT ? after[IOWAIT] - before[IOWAIT] : 0);
        return total <= 0 ? Double.NaN : 100.0 * (total - idle) / total;
    }

    /** The first three fields of /proc/loadavg ({@code 0.52 0.31 0.20 2/345 6789}). */
    public static LoadAverages parseLoadAverages(final String loadavgText)
    {
        final String[] fields = loadavgText.strip().split("\\s+");
        if (fields.length < 3)
        {
            throw new IllegalArgumentException("/proc/loadavg has " + fields.length + " fields, expected at least 3: '"
                + loadavgText.strip() + "'");
        }
        return new LoadAverages(Double.parseDouble(fields[0]), Double.parseDouble(fields[1]),
            Double.parseDouble(fields[2]));
    }
}
