package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.protocol.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void engineDemoAppendsReadsBackReopensAndCleansUp()
    {
        final Path data = dir.resolve("demo");
        assertThat(run("engine-demo", "--records", "5000", "--size", "64", "--batch", "16", "--dir", data.toString()))
            .as(err.toString()).isEqualTo(0);
        assertThat(out.toString()).contains("append").contains("read").contains("reopen: intact, last offset 4,999");
        assertThat(Files.exists(data)).isFalse();
    }

    @Test
    void usageErrorsExitWith64AndSayWhatWasWrong()
    {
        assertThat(run("engine-demo", "--records", "many")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--records").contains("many");
        assertThat(run("no-such-command")).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void checkIsAvailableFromTheLauncherWithItsExitCodes() throws Exception
    {
        final Path good = dir.resolve("good.jsonl");
        Files.writeString(good, String.join("\n",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":1,\"time\":1}",
            "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":1,\"time\":2}",
            "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"time\":3}",
            "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"value\":1,\"time\":4}") + "\n");
        assertThat(run("check", "--model", "register", "--format", "jsonl", good.toString())).as(err.toString())
            .isEqualTo(0);
        assertThat(out.toString().strip()).endsWith("linearizable");

        final Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, Files.readString(good).replace("\"value\":1,\"time\":4", "\"value\":2,\"time\":4"));
        assertThat(run("check", "--model", "register", "--format", "jsonl", bad.toString())).isEqualTo(1);
        assertThat(out.toString().strip()).endsWith("not linearizable");

        assertThat(run("check", "--model", "register", "--format", "jsonl", dir.resolve("missing").toString()))
            .isEqualTo(64);
    }

    @Test
    void jepsenIsAvailableFromTheLauncher()
    {
        assertThat(run("jepsen", "--help")).isEqualTo(0);
        assertThat(out.toString()).contains("--workload").contains("--nemesis").contains("--seed");
        assertThat(run("jepsen", "--workload", "bank")).isEqualTo(64);
        assertThat(err.toString()).contains("--workload must be register or log");
    }

    @Test
    void badValuesAreOneLineErrors()
    {
        assertThat(run("engine-demo", "--records", "0", "--dir", dir.resolve("x").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("--records and --batch must be >= 1");
    }
}
