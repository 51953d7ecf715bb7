package io.tributary.jepsen.harness;

import io.tributary.jepsen.harness.check.RunVerdict;
import io.tributary.protocol.tls.TlsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI's short mixed-fault run: five node processes (in network namespaces when root) with TLS 1.3 on every link (issue
 * #17: the harness with security on; the other fault tests run in clear), the log workload with snapshots and
 * retention, every kind of fault for 60 s, then heal, final reads and the checkers; fails on any verdict but valid.
 * The seed is printed; replay with {@code -Dtributary.seed=N}. The run's folder (history, results, timeline, node logs)
 * stays under {@code target/jepsen-ci}.
 */
class JepsenSmokeTest
{
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aShortMixedFaultRunIsValid() throws Exception
    {
        final long seed = Long.getLong("tributary.seed", System.nanoTime() & 0xFFFFFF);
        System.out.println("JepsenSmokeTest seed " + seed + " (replay: -Dtributary.seed=" + seed + ")");
        final Path out = Path.of("target", "jepsen-ci", "log-" + seed + "-" + System.currentTimeMillis());
        // The hard paths too (issue #14, point 7): snapshots every 200 entries with purged Raft logs, and retention
        // deleting shard files while the faults run, so catch-ups and installs from a peer happen in CI.
        final RunOptions options = new RunOptions(RunOptions.LOG, EnumSet.allOf(Fault.class), 5,
            Duration.ofSeconds(60), 100,
            8, 3, 8, seed, out, "aeron", Map.of(TlsSettings.ENABLED, "true"), Duration.ofSeconds(120), true, 1, 200,
            65_536);

        final RunVerdict verdict = new JepsenRun(options, System.out).run();

        assertThat(out.resolve("history.jsonl")).exists();
        assertThat(out.resolve("results.json")).exists();
        assertThat(out.resolve("timeline.html")).exists();
        assertThat(Files.readString(out.resolve("history.jsonl"))).as("the nemesis injected faults")
            .contains("\"f\":\"start\"");
        assertThat(verdict.verdict()).as("seed %d: %s", seed, verdict.summary()).isEqualTo("valid");
        assertThat(NamespaceLeftovers.ours()).as("namespaces and links left behind").isEmpty();
    }
}
