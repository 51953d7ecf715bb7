package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.tributary.raft.node.RunningCluster;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line against a real node process: stream, produce, consume, cluster status. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClusterCliTest
{
    private RunningCluster cluster;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    void startNode(@TempDir final Path dir) throws Exception
    {
        cluster = RunningCluster.builder(dir).nodes(1).start();
    }

    @AfterAll
    void stopNode() throws IOException
    {
        cluster.close();
    }

    private int run(final String... args)
    {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        final CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final String[] withCluster = new String[args.length + 2];
        System.arraycopy(args, 0, withCluster, 0, args.length);
        withCluster[args.length] = "--cluster";
        withCluster[args.length + 1] = cluster.processes().metadataPeersText();
        return commandLine.execute(withCluster);
    }

    @Test
    void streamsProduceConsumeAndStatus()
    {
        // The fixture returns once the node is ACTIVE: the status command must say so.
        assertThat(run("cluster", "status")).as(err.toString()).isEqualTo(0);
        assertThat(out.toString()).contains("ACTIVE");
        assertThat(run("stream", "create", "cli", "--shards", "2", "--replication", "1")).as(err.toString())
            .isEqualTo(0);
        assertThat(out.toString()).contains("created stream cli");
        assertThat(run("stream", "create", "cli", "--replication", "1")).isEqualTo(1);
        assertThat(err.toString()).contains("already exists");
        assertThat(run("stream", "list")).isEqualTo(0);
        assertThat(out.toString()).contains("cli");

        final InputStream stdin = System.in;
        try
        {
            System.setIn(new ByteArrayInputStream("k1\tone\nk2\ttwo\nplain three\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(run("produce", "cli")).as(err.toString()).isEqualTo(0);
        }
        finally
        {
            System.setIn(stdin);
        }
        assertThat(out.toString().strip().split("\n")).hasSize(3);

        assertThat(run("consume", "cli")).as(err.toString()).isEqualTo(0);
        assertThat(out.toString()).contains("\tk1\tone").contains("\tk2\ttwo").contains("\t\tplain three");
        assertThat(run("stream", "describe", "cli")).isEqualTo(0);
        assertThat(out.toString()).contains("stream cli").contains("NEXT OFFSET");
        assertThat(run("cluster", "status")).isEqualTo(0);
        assertThat(out.toString()).contains("stream cli:")
            .containsPattern("metadata leader: n\\d+ \\(runs the controller\\)");

        assertThat(run("produce", "no-such-stream")).isEqualTo(1);
        assertThat(err.toString()).contains("unknown stream 'no-such-stream'");
        assertThat(run("stream", "delete", "cli")).isEqualTo(0);
        assertThat(run("stream", "describe", "cli")).isEqualTo(1);
        assertThat(err.toString()).contains("unknown stream");
    }
}
