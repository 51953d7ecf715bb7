package io.tributary.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README's run command, shortened: a 3-node cluster, live lines, a summary, everything stopped. */
class DemoCommandTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void demoRunsACluster_ProducesAndConsumesEverything_AndStops()
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exit = commandLine.execute("demo", "--duration", "3s", "--warmup", "2s", "--rate", "500", "--size",
            "256",
            "--data", dir.resolve("demo").toString());
        assertThat(exit).as(err.toString()).isEqualTo(0);
        assertThat(out.toString()).contains("warm-up  1s  acked").contains("  1s  acked").contains("latency us p50")
            .contains("summary: 1,500 records acknowledged of 1,500 offered")
            .contains("consumed 2,500 of 2,500 acknowledged records in all (warm-up included); 0 sends failed")
            .contains("stopping the cluster");
    }
}
