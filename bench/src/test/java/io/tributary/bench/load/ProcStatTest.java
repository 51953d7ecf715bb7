package io.tributary.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The /proc parsers, fed lines as the kernel writes them (proc(5)). */
class ProcStatTest
{
    /** A stat line with every field proc(5) lists: utime, stime and starttime where they belong, the rest plausible. */
    static String statLine(final long pid, final String comm, final long utimeTicks, final long stimeTicks,
        final long startTimeTicks)
    {
        return pid + " (" + comm + ") S 1 " + pid + " " + pid + " 0 -1 4194560 2411 0 0 0 " + utimeTicks + " "
            + stimeTicks + " 0 0 20 0 31 0 " + startTimeTicks
            + " 3617206272 51311 18446744073709551615 1 1 0 0 0 0 0 2 16 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0\n";
    }

    @Test
    void readsCpuTimesOfARealLookingLine()
    {
        // Taken from a JVM's thread on this kind of machine: field 14 utime 4181, 15 stime 86, 22 starttime 1394894.
        final ProcStat.TaskStat stat =
            ProcStat.parseTaskStat("7321 (C2 CompilerThre) S 7135 7135 3768 0 -1 1077936192 25 0 0 0 4181 86 0 0 20 "
            + "0 23 0 1394894 3133440 394 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 -1 1 0 0 0 0 0 0 0 0 0 0 0 0 "
            + "0\n");
        assertThat(stat.pid()).isEqualTo(7321);
        assertThat(stat.comm()).isEqualTo("C2 CompilerThre");
        assertThat(stat.state()).isEqualTo('S');
        assertThat(stat.userTicks()).isEqualTo(4181);
        assertThat(stat.systemTicks()).isEqualTo(86);
        assertThat(stat.cpuTicks()).isEqualTo(4267);
        assertThat(stat.startTimeTicks()).isEqualTo(1394894);
    }

    @Test
    void aCommandWithSpacesAndParenthesesDoesNotShiftTheFields()
    {
        // A thread may call itself anything: splitting on spaces, or at the first ')', would read the wrong columns.
        for (final String comm : new String[] {"a) b (c", "x)) 1 2 3 (", ") R 9 9 (", "(", "", "with  two  spaces"})
        {
            final ProcStat.TaskStat stat = ProcStat.parseTaskStat(statLine(42, comm, 1234, 56, 789));
            assertThat(stat.comm()).as(comm).isEqualTo(comm);
            assertThat(stat.state()).as(comm).isEqualTo('S');
            assertThat(stat.userTicks()).as(comm).isEqualTo(1234);
            assertThat(stat.systemTicks()).as(comm).isEqualTo(56);
            assertThat(stat.startTimeTicks()).as(comm).isEqualTo(789);
        }
    }

    @Test
    void aLineThatIsNotAStatLineSaysWhatIsWrong()
    {
        assertThatThrownBy(() -> ProcStat.parseTaskStat("42 no parentheses 1 2 3"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no '(comm)'").hasMessageContaining("42 no parentheses");
        assertThatThrownBy(() -> ProcStat.parseTaskStat("42 (java) S 1 2 3"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("has 6 fields, expected at least 22");
        assertThatThrownBy(() -> ProcStat.parseTaskStat(statLine(42, "java", 1, 2, 3)
            .replace(" 2411 0 0 0 1 ", " 2411 0 0 0 x ")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a number");
    }

    @Test
    void machineBusyLeavesOutIdleAndIowait()
    {
        final long[] before = ProcStat.parseCpuLine("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\nintr 5\n");
        final long[] after = ProcStat.parseCpuLine("cpu  250 0 150 900 200 0 0 0 5 0\ncpu0 1 2 3 4\nintr 5\n");
        assertThat(after).hasSize(8); // guest columns are in user and nice already
        assertThat(ProcStat.busyPercent(before, after)).isEqualTo(40.0); // 200 busy of 500 jiffies
        assertThat(ProcStat.busyPercent(after, after)).isNaN();
        assertThat(ProcStat.parseCpuLine("cpu0 1 2 3 4\n")).isNull();
    }

    @Test
    void loadAveragesAreTheFirstThreeFields()
    {
        final ProcStat.LoadAverages load = ProcStat.parseLoadAverages("0.86 0.88 0.45 1/82 7138\n");
        assertThat(load).isEqualTo(new ProcStat.LoadAverages(0.86, 0.88, 0.45));
        assertThat(load.toString()).isEqualTo("0.86 0.88 0.45");
        assertThat(load.toJson()).isEqualTo("[0.86, 0.88, 0.45]");
        assertThat(ProcStat.LoadAverages.UNKNOWN.toJson()).isEqualTo("[null, null, null]");
        assertThatThrownBy(() -> ProcStat.parseLoadAverages("0.1 0.2")).hasMessageContaining("expected at least 3");
    }
}
