package io.tributary.jepsen.harness.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad options are refused with exit 64 and one line naming the option, before anything starts. */
class JepsenCommandTest
{
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final CommandLine command = new CommandLine(new JepsenCommand());
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    @Test
    void anUnknownWorkloadIsRefused()
    {
        assertThat(run("--workload", "bank")).isEqualTo(JepsenCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("--workload must be register or log, got 'bank'");
    }

    @Test
    void anUnknownFaultIsRefusedWithTheKnownOnes()
    {
        assertThat(run("--nemesis", "kill,meteor")).isEqualTo(JepsenCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("unknown nemesis fault 'meteor'")
            .contains("kill,pause,partition,loss,disk,membership,transfer");
    }

    @Test
    void fewerThanThreeNodesAreRefused()
    {
        assertThat(run("--nodes", "2")).isEqualTo(JepsenCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("--nodes must be at least 3");
    }

    @Test
    void aBadDurationIsRefused()
    {
        assertThat(run("--time", "soon")).isEqualTo(JepsenCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("--time 'soon' is not a duration");
    }

    @Test
    void anUnknownTransportIsRefused()
    {
        assertThat(run("--transport", "pigeon")).isEqualTo(JepsenCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("--transport must be one of");
    }

    @Test
    void recheckChecksAnEarlierRunAgain(@TempDir final Path dir) throws Exception
    {
        Files.writeString(dir.resolve("history.jsonl"), String.join("\n",
            "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"key\":\"k0\",\"value\":1,\"time\":1}",
            "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"key\":\"k0\",\"value\":1,\"time\":2}",
            "{\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k0\",\"value\":null,\"time\":3}",
            "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"k0\",\"value\":2,\"time\":4}") + "\n");
        Files.writeString(dir.resolve("results.json"), "{\"workload\":\"register\",\"run\":{\"seed\":5}}");

        assertThat(run("--recheck", dir.toString())).as(err.toString()).isEqualTo(JepsenCommand.EXIT_INVALID);
        assertThat(Files.readString(dir.resolve("results.json"))).contains("\"verdict\":\"invalid\"")
            .contains("\"seed\":5");
        assertThat(run("--recheck", dir.resolve("nothing").toString())).isEqualTo(JepsenCommand.EXIT_BAD_INPUT);
    }

    @Test
    void aFolderOfAnEarlierRunIsRefused(@TempDir final Path dir) throws Exception
    {
        Files.writeString(dir.resolve("history.jsonl"), "");
        assertThat(run("--out", dir.toString(), "--time", "1s")).isEqualTo(JepsenCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("is not empty; give each run a new folder");
    }
}
