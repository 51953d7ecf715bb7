package io.tributary.jepsen.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadersTest
{

    private static List<HistoryRecord> read(final HistoryFormat format, final String text) throws Exception
    {
        return format.reader().read(new BufferedReader(new StringReader(text)), "h.txt");
    }

    private static HistoryRecord record(final int line, final long process, final RecordType type, final String f,
        final Object key, final Object value,
                                        final String error)
    {
        return new HistoryRecord(line, process, type, f, key, value, OptionalLong.empty(), error);
    }

    @Test
    void jepsenLogLinesWithTabsOrSpacesAndPrefixes() throws Exception
    {
        String log = "INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]\n2015-01-01 12:00:00,000{GMT}\tINFO\t[jepsen worker "
            + "1] jepsen.util - 1   :invoke :write  4\nINFO  jepsen.core - Worker 1 starting\n\nINFO  jepsen.util - "
            + ":nemesis\t:info\t:start\tnil\nINFO  jepsen.util - 2\t:fail\t:cas\t[3 0]\nINFO  jepsen.util - "
            + "1\t:info\t:write\t:timed-out\nINFO  jepsen.util - 3\t:fail\t:read\t:timed-out\nINFO  jepsen.util - "
            + "4\t:ok\t:read\tnil\tsome error text\n";
        assertThat(read(HistoryFormat.JEPSEN_LOG, log)).containsExactly(
            record(1, 2, RecordType.INVOKE, "cas", null, List.of(3L, 0L), null),
            record(2, 1, RecordType.INVOKE, "write", null, 4L, null),
            record(6, 2, RecordType.FAIL, "cas", null, List.of(3L, 0L), null),
            record(7, 1, RecordType.INFO, "write", null, null, "timed-out"),
            record(8, 3, RecordType.FAIL, "read", null, null, "timed-out"),
            record(9, 4, RecordType.OK, "read", null, null, "some error text"));
    }

    @Test
    void malformedJepsenLogLinesAreErrorsWithTheirLine()
    {
        assertThatThrownBy(() -> read(HistoryFormat.JEPSEN_LOG, "INFO  jepsen.util - 1\t:invoke\t:read\tnil\n"
            + "INFO  jepsen.util - 1\t:okay\t:read\t3\n"))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessage("h.txt:2: expected :invoke, :ok, :fail or :info after process 1, found ':okay'");
        assertThatThrownBy(() -> read(HistoryFormat.JEPSEN_LOG, "INFO  jepsen.util - x\t:invoke\t:read\tnil\n"))
            .hasMessageContaining("h.txt:1: expected an integer process id");
        assertThatThrownBy(() -> read(HistoryFormat.JEPSEN_LOG, "INFO  jepsen.util - 1\t:invoke\tread\tnil\n"))
            .hasMessageContaining("expected an operation keyword such as :read");
        assertThatThrownBy(() -> read(HistoryFormat.JEPSEN_LOG, "INFO  jepsen.util - 1\t:invoke\t:cas\t[1 2\n"))
            .hasMessageContaining("h.txt:1: value of :cas: expected ']' to close the collection");
        assertThatThrownBy(() -> read(HistoryFormat.JEPSEN_LOG, "INFO  jepsen.util - 1\t:invoke\n"))
            .hasMessageContaining("h.txt:1: expected 'jepsen.util - PROCESS :TYPE :F VALUE'");
        assertThatThrownBy(() -> read(HistoryFormat.JEPSEN_LOG, "{:process 0, :type :invoke, :f :read}\n"))
            .hasMessageContaining("h.txt: no Jepsen operation line in 1 lines").hasMessageContaining("--format");
    }

    @Test
    void ednMapsOnePerLine() throws Exception
    {
        String edn = "{:process 0, :type :invoke, :f :append, :key \"0\", :value \"x 0 0 y\"}\n; a "
            + "comment\n\n{:process :nemesis, :type :info, :f :start}\n#jepsen.history.Op{:index 1 :process 0, :type "
            + ":info, :f :append, :key \"0\", :value nil, :error :timeout, :time 17}\n";
        assertThat(read(HistoryFormat.EDN, edn)).containsExactly(
            record(1, 0, RecordType.INVOKE, "append", "0", "x 0 0 y", null),
            new HistoryRecord(5, 0, RecordType.INFO, "append", "0", null, OptionalLong.of(17), "timeout"));
    }

    @Test
    void malformedEdnIsAnErrorWithTheLineAndTheField()
    {
        assertThatThrownBy(() -> read(HistoryFormat.EDN, "\n{:process 0, :type :invoke}\n"))
            .hasMessageStartingWith("h.txt:2: expected a field :f, found none among");
        assertThatThrownBy(() -> read(HistoryFormat.EDN, "{:process 0, :type :begin, :f :read}"))
            .hasMessage("h.txt:1: expected :type to be one of invoke, ok, fail, info, found :begin (Keyword)");
        assertThatThrownBy(() -> read(HistoryFormat.EDN, "{:process \"p\", :type :ok, :f :read}"))
            .hasMessageContaining("expected :process to be an integer (or nemesis), found \"p\" (String)");
        assertThatThrownBy(() -> read(HistoryFormat.EDN, "[1 2]"))
            .hasMessageContaining("h.txt:1: expected an EDN map such as");
        assertThatThrownBy(() -> read(HistoryFormat.EDN, "{:process 0 :type}"))
            .hasMessageContaining("h.txt:1: column").hasMessageContaining("(each line must be an EDN map");
        assertThatThrownBy(() -> read(HistoryFormat.EDN, "{:process 0, :type :ok, :f :read, :time 1.5}"))
            .hasMessageContaining("expected :time to be an integer number of nanoseconds");
    }

    @Test
    void jsonLinesWithOurFields() throws Exception
    {
        String jsonl =
            "{\"process\":3,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k1\",\"value\":5,\"time\":100,\"extra\":1}\n"
            + "\n" + "{\"process\":\"nemesis\",\"type\":\"info\",\"f\":\"kill\",\"time\":150}\n"
            + "{\"process\":3,\"type\":\"fail\",\"f\":\"write\",\"key\":\"k1\",\"value\":5,\"time\":200,"
            + "\"error\":\"timed-out\"}\n";
        assertThat(read(HistoryFormat.JSONL, jsonl)).containsExactly(
            new HistoryRecord(1, 3, RecordType.INVOKE, "write", "k1", 5L, OptionalLong.of(100), null),
            new HistoryRecord(4, 3, RecordType.FAIL, "write", "k1", 5L, OptionalLong.of(200), "timed-out"));
    }

    @Test
    void malformedJsonLinesAreErrorsWithTheLine()
    {
        assertThatThrownBy(() -> read(HistoryFormat.JSONL,
            "{\"process\":1,\"type\":\"ok\",\"f\":\"read\"}\n{\"process\":1,"))
            .hasMessageStartingWith("h.txt:2: column 14: expected a \"quoted\" member name, found end of line");
        assertThatThrownBy(() -> read(HistoryFormat.JSONL, "{\"process\":1,\"type\":\"ok\"}"))
            .hasMessageStartingWith("h.txt:1: expected a field f, found none");
        assertThatThrownBy(() -> read(HistoryFormat.JSONL, "{\"process\":1,\"type\":\"ok\",\"f\":null}"))
            .hasMessageStartingWith("h.txt:1: expected a field f, found null");
    }

    @Test
    void formatsAreFoundByTheirCommandLineNames()
    {
        assertThat(HistoryFormat.fromCliName("jepsen-log")).isEqualTo(HistoryFormat.JEPSEN_LOG);
        assertThat(HistoryFormat.fromCliName("edn")).isEqualTo(HistoryFormat.EDN);
        assertThat(HistoryFormat.fromCliName("jsonl")).isEqualTo(HistoryFormat.JSONL);
        assertThat(HistoryFormat.fromCliName("json")).isNull();
    }
}
