package io.tributary.jepsen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jepsen.history.JsonLinesWriter;
import io.tributary.jepsen.history.RecordType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CheckCommandTest
{
    @TempDir
    Path dir;

    private record Run(int exitCode, List<String> out, List<String> err)
    {
        String lastLine()
        {
            return out.isEmpty() ? "" : out.get(out.size() - 1);
        }
    }

    private static Run run(final String... args)
    {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new CheckCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exitCode = command.execute(args);
        return new Run(exitCode, out.toString().lines().toList(), err.toString().lines().toList());
    }

    private Path file(final String name, final String content) throws Exception
    {
        Path path = dir.resolve(name);
        Files.writeString(path, content);
        return path;
    }

    private static final String REGISTER_OK = ""
        + "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1,\"time\":10}\n"
        + "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null,\"time\":11}\n"
        + "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":null,\"time\":12}\n"
        + "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1,\"time\":13}\n";

    private static final String REGISTER_BAD = ""
        + "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1,\"time\":10}\n"
        + "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1,\"time\":11}\n"
        + "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"value\":null,\"time\":12}\n"
        + "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":2,\"time\":13}\n";

    @Test
    void aLinearizableHistoryExitsZero() throws Exception
    {
        Run run = run("--model", "register", "--format", "jsonl", file("ok.jsonl", REGISTER_OK).toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.lastLine()).isEqualTo("linearizable");
        assertThat(run.out()).anyMatch(line -> line.startsWith("operations: 2 checked (0 indeterminate)"));
        assertThat(run.err()).isEmpty();
    }

    @Test
    void aViolationExitsOneAndSaysWhereItFails() throws Exception
    {
        Run run = run("--model", "register", "--format", "jsonl", file("bad.jsonl", REGISTER_BAD).toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.lastLine()).isEqualTo("not linearizable");
        assertThat(run.out()).contains(
            "partition 0: not linearizable; the longest linearizable prefix orders 1 of 2 operations",
            "  after it the state is 1",
            "  must take effect before it returns: read() -> 2 [process 1, lines 3-4]",
            "    read() -> 2 [process 1, lines 3-4]: not legal in state 1");
    }

    @Test
    void aHistoryTooHardForTheTimeoutExitsTwo() throws Exception
    {
        Path hard = dir.resolve("hard.jsonl");
        try (Writer out = Files.newBufferedWriter(hard); JsonLinesWriter writer =
            new JsonLinesWriter(out, System::nanoTime))
        {
            for (int p = 0; p < 40; p++)
            {
                writer.record(p, RecordType.INVOKE, "write", null, (long) p, null);
            }
            for (int p = 0; p < 40; p++)
            {
                writer.record(p, RecordType.OK, "write", null, (long) p, null);
            }
            writer.record(99, RecordType.INVOKE, "read", null, null, null);
            writer.record(99, RecordType.OK, "read", null, -1L, null);
        }
        Path report = dir.resolve("hard.html");
        Run run = run("--model", "register", "--format", "jsonl", "--timeout", "300ms", "--html", report.toString(),
            hard.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.lastLine()).isEqualTo("unknown");
        assertThat(run.out()).anyMatch(line -> line.startsWith("undecided: timed out"));
        assertThat(report).isRegularFile();
    }

    @Test
    void writesTheHtmlReportBeforeTheVerdict() throws Exception
    {
        Path report = dir.resolve("report.html");
        Run run = run("--model", "register", "--format", "jsonl", "--html", report.toString(),
            file("bad.jsonl", REGISTER_BAD).toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out().get(run.out().size() - 2)).isEqualTo("report: " + report);
        assertThat(Files.readString(report)).startsWith("<!DOCTYPE html>").contains("bad.jsonl: not linearizable");
    }

    @Test
    void readsJepsenLogsAndEdn() throws Exception
    {
        Path log = file("etcd.log", "INFO  jepsen.util - 0\t:invoke\t:write\t3\nINFO  jepsen.util - "
            + "0\t:ok\t:write\t3\nINFO  jepsen.util - 1\t:invoke\t:cas\t[3 4]\nINFO  jepsen.util - "
            + "2\t:invoke\t:read\tnil\nINFO  jepsen.util - 2\t:fail\t:read\t:timed-out\nINFO  jepsen.util - "
            + "1\t:info\t:cas\t:timed-out\nINFO  jepsen.util - 3\t:invoke\t:read\tnil\nINFO  jepsen.util - "
            + "3\t:ok\t:read\t4\n");
        Run logRun = run("--model", "register", "--format", "jepsen-log", log.toString());
        assertThat(logRun.exitCode()).isZero();
        assertThat(logRun.out()).anyMatch(line -> line.startsWith("operations: 4 checked (2 indeterminate)"));
        Path edn = file("kv.edn", ""
            + "{:process 0, :type :invoke, :f :append, :key \"a\", :value \"x\"}\n"
            + "{:process 0, :type :ok, :f :append, :key \"a\", :value \"x\"}\n"
            + "{:process 1, :type :invoke, :f :get, :key \"a\", :value nil}\n"
            + "{:process 1, :type :ok, :f :get, :key \"a\", :value \"\"}\n");
        Run ednRun = run("--model", "kv", "--format", "edn", edn.toString());
        assertThat(ednRun.exitCode()).isEqualTo(1);
        assertThat(ednRun.lastLine()).isEqualTo("not linearizable");
    }

    @Test
    void checksLogHistories() throws Exception
    {
        Path log = file("log.jsonl", ""
            + "{\"process\":0,\"type\":\"invoke\",\"f\":\"append\",\"key\":\"s1\",\"value\":\"a\"}\n"
            + "{\"process\":0,\"type\":\"ok\",\"f\":\"append\",\"key\":\"s1\",\"value\":0}\n"
            + "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"s1\",\"value\":0}\n"
            + "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"s1\",\"value\":\"a\"}\n"
            + "{\"process\":2,\"type\":\"invoke\",\"f\":\"append\",\"key\":\"s2\",\"value\":\"b\"}\n"
            + "{\"process\":2,\"type\":\"fail\",\"f\":\"append\",\"key\":\"s2\",\"value\":null}\n");
        Run run = run("--model", "log", "--format", "jsonl", log.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).anyMatch(line ->
            line.equals("operations: 2 checked (0 indeterminate), 1 failed and left out; 1 partition(s)"));
    }

    @Test
    void malformedHistoriesExit64WithOneLineNamingFileAndLine() throws Exception
    {
        Path bad = file("broken.jsonl", REGISTER_OK.lines().findFirst().orElseThrow()
            + "\n{\"process\":0,\"type\":\"ok\"\n");
        Run run = run("--model", "register", "--format", "jsonl", bad.toString());
        assertThat(run.exitCode()).isEqualTo(64);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).singleElement().asString()
            .startsWith("tributary check: " + bad + ":2: column 25: expected ',' or '}' in the object")
            .endsWith("(checked as --format jsonl --model register)");
        Path wrongModel = file("kv.jsonl", "{\"process\":0,\"type\":\"invoke\",\"f\":\"get\",\"key\":\"a\"}\n");
        Run modelRun = run("--model", "register", "--format", "jsonl", wrongModel.toString());
        assertThat(modelRun.exitCode()).isEqualTo(64);
        assertThat(modelRun.err()).singleElement().asString()
            .contains("kv.jsonl:1: process 0 :get: the register model has no operation :get; expected :read, :write "
                + "or :cas");
    }

    @Test
    void badOptionsExit64WithOneLineSayingWhatToDo() throws Exception
    {
        String ok = file("ok.jsonl", REGISTER_OK).toString();
        assertThat(run("--format", "jsonl", ok)).satisfies(r ->
        {
            assertThat(r.exitCode()).isEqualTo(64);
            assertThat(r.err()).containsExactly("tributary check: missing --model; use --model register, kv or log");
        });
        assertThat(run("--model", "queue", "--format", "jsonl", ok).err())
            .containsExactly("tributary check: unknown --model 'queue'; use --model register, kv or log");
        assertThat(run("--model", "kv", "--format", "json", ok).err())
            .containsExactly("tributary check: unknown --format 'json'; use --format jepsen-log, edn or jsonl");
        assertThat(run("--model", "kv", "--format", "jsonl").err()).singleElement().asString()
            .contains("missing the history FILE");
        assertThat(run("--model", "kv", "--format", "jsonl", dir.resolve("nope.jsonl").toString()).err())
            .containsExactly("tributary check: no history file at " + dir.resolve("nope.jsonl"));
        Run timeout = run("--model", "kv", "--format", "jsonl", "--timeout", "soon", ok);
        assertThat(timeout.exitCode()).isEqualTo(64);
        assertThat(timeout.err()).containsExactly(
            "tributary check: --timeout 'soon' is not a duration; use e.g. 500ms, 60s, 5m, 1h, or 0 for no limit");
        assertThat(run("--model", "kv", "--format", "jsonl", "--cache-max", "lots", ok).exitCode()).isEqualTo(64);
        assertThat(run("--model", "kv", "--format", "jsonl", "--threads", "0", ok).exitCode()).isEqualTo(64);
        assertThat(run("--model", "kv", "--format", "jsonl", "--html", dir.resolve("no/such/dir/r.html").toString(), ok)
            .err()).singleElement().asString().contains("does not exist");
    }

    @Test
    void usageErrorsExit64AndHelpExitsZero()
    {
        Run unknownOption = run("--model", "kv", "--bogus");
        assertThat(unknownOption.exitCode()).isEqualTo(64);
        assertThat(unknownOption.err().get(0)).contains("Unknown option: '--bogus'");
        Run help = run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(String.join("\n", help.out())).contains("--model", "--format", "--timeout", "--html", "last line");
    }

    @Test
    void quantitiesAcceptTheDocumentedForms()
    {
        assertThat(Quantities.duration("500ms", "t")).hasMillis(500);
        assertThat(Quantities.duration("60s", "t")).hasSeconds(60);
        assertThat(Quantities.duration("60", "t")).hasSeconds(60);
        assertThat(Quantities.duration("5m", "t")).hasMinutes(5);
        assertThat(Quantities.duration("1h", "t")).hasHours(1);
        assertThat(Quantities.duration("0", "t")).isZero();
        assertThat(Quantities.duration("PT1M30S", "t")).hasSeconds(90);
        assertThat(Quantities.bytes("512m", "c")).isEqualTo(512L << 20);
        assertThat(Quantities.bytes("2G", "c")).isEqualTo(2L << 30);
        assertThat(Quantities.bytes("1024", "c")).isEqualTo(1024);
    }
}
