package io.tributary.jepsen.harness;

import io.tributary.protocol.tls.TlsSettings;
import io.tributary.client.Admin;
import io.tributary.client.AdminConfig;
import io.tributary.jepsen.harness.check.RunChecks;
import io.tributary.jepsen.harness.check.RunVerdict;
import io.tributary.raft.node.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The harness catches real bugs: each test-only fault switch in the node makes the checkers report
 * invalid in a scenario built to expose it, and the same scenario without the switch is valid
 * (so the verdict is the switch's doing, not the scenario's). Real node JVMs, real faults.
 */
class FaultSwitchDetectionTest
{
    private static final List<String> NODES = List.of("n1", "n2", "n3");

    /**
     * A leader cut off from its followers keeps answering reads from its own state when reads skip
     * ReadIndex and the lease: a write acknowledged by the new leader is then missed by a read.
     * n1 leads and is the only node with the switch, and it believes it leads for 10 s after losing
     * its majority, while n2 and n3 elect a new leader in 1-2 s.
     */
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void readsWithoutReadIndexOnAnIsolatedLeaderAreStale(@TempDir(cleanup = CleanupMode.ON_SUCCESS) final Path dir)
        throws Exception
    {
        assumeTrue(NamespaceNetwork.unavailableBecause() == null,
            () -> "skipped: partitions need network namespaces: " + NamespaceNetwork.unavailableBecause());
        assertThat(isolatedLeaderScenario(dir.resolve("with-switch"), true).verdict()).isEqualTo("invalid");
        assertThat(isolatedLeaderScenario(dir.resolve("without-switch"), false).verdict()).isEqualTo("valid");
    }

    private static RunVerdict isolatedLeaderScenario(final Path dir, final boolean faultOn) throws Exception
    {
        try (Scenario scenario = new Scenario(dir, NamespaceNetwork.create(NODES), 1))
        {
            scenario.nodes.configure("n1", "raft.election.timeout.max.ms", "10000");
            scenario.nodes.configure("n1", "raft.request.timeout.ms", "10000");
            if (faultOn)
            {
                scenario.nodes.configure("n1", "test.fault.reads-without-readindex", "true");
            }
            scenario.start();
            scenario.admin.transferLeadership(JepsenRun.STREAM, 0, "n1", Duration.ofSeconds(30));
            final RegisterClient reader = new RegisterClient(scenario.context, 0, 1);
            final RegisterClient writer = new RegisterClient(scenario.context, 1, 1);
            try
            {
                assertThat(reader.write("k0", scenario.context.nextValue())).isTrue();
                reader.read("k0");
                scenario.network.cut(Map.of("n1", Set.of("n2", "n3"), "n2", Set.of("n1"), "n3", Set.of("n1")));
                scenario.history.nemesis("start", "partition", "isolate-leader n1 | [n2, n3]");
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!writer.write("k0", scenario.context.nextValue()) && System.nanoTime() - deadlineNs < 0)
                {
                    // Each attempt is bounded by the producer's delivery timeout; the new leader takes 1-2 s.
                }
                for (int i = 0; i < 3; i++)
                {
                    reader.read("k0");
                }
                scenario.network.heal();
                scenario.history.nemesis("stop", "partition", "healed");
            }
            finally
            {
                reader.close();
                writer.close();
            }
            return scenario.check("register");
        }
    }

    /**
     * A replica that skips one committed entry when it reopens its log (an off-by-one in replay)
     * silently lacks an acknowledged record; once it leads, reads miss the record and new appends
     * reuse an acknowledged offset.
     */
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aReplicaThatSkipsAnEntryOnReplayLosesAcknowledgedRecords(@TempDir(cleanup =
        CleanupMode.ON_SUCCESS) final Path dir) throws Exception
    {
        assertThat(replayScenario(dir.resolve("with-switch"), true).verdict()).isEqualTo("invalid");
        assertThat(replayScenario(dir.resolve("without-switch"), false).verdict()).isEqualTo("valid");
    }

    private static RunVerdict replayScenario(final Path dir, final boolean faultOn) throws Exception
    {
        final String why = NamespaceNetwork.unavailableBecause();
        try (Scenario scenario = new Scenario(dir, why == null ? NamespaceNetwork.create(NODES)
            : new LoopbackNetwork(NODES, why), 1))
        {
            if (faultOn)
            {
                scenario.nodes.configure("n3", "test.fault.replay-off-by-one", "true");
            }
            final Phases phases = new Phases(dir.getFileName().toString());
            scenario.start();
            phases.done("cluster up, stream ready");
            scenario.admin.transferLeadership(JepsenRun.STREAM, 0, "n1", Duration.ofSeconds(30));
            phases.done("leadership to n1");
            final LogClient client = new LogClient(scenario.context, 0);
            try
            {
                for (int i = 0; i < 5; i++)
                {
                    client.append(0, scenario.context.nextValue());
                }
                phases.done("5 appends");
                // The switch arms only on a replica that had stored entries before its restart: acknowledged by n1 and
                // n2, the appends may not have reached n3's log yet (CI: killed while it created its first queue file).
                awaitReplicaOffset(scenario.admin, "n3", 5);
                phases.done("n3 stored them");
                scenario.nodes.kill("n3");
                scenario.history.nemesis("start", "kill", "kill -9 [n3]");
                for (int i = 0; i < 10; i++)
                {
                    client.append(0, scenario.context.nextValue());
                }
                phases.done("n3 killed, 10 appends");
                scenario.nodes.start("n3");
                scenario.history.nemesis("stop", "kill", "restart [n3]");
                phases.done("n3 restarted");
                scenario.admin.transferLeadership(JepsenRun.STREAM, 0, "n3", Duration.ofSeconds(60));
                phases.done("leadership to n3");
                for (int i = 0; i < 5; i++)
                {
                    client.append(0, scenario.context.nextValue());
                }
                client.finalReads(0);
                phases.done("5 appends, final reads");
            }
            finally
            {
                client.close();
            }
            if (faultOn)
            {
                // Without this a switch that never fired reads as "the checker missed the bug" (CI once: n3's
                // restart hit a queue file cut by the kill, took 75 s and rebuilt the shard from a peer).
                final String n3Log = Files.readString(scenario.nodes.logFile("n3"));
                assertThat(n3Log)
                    .as("n3 never skipped an entry, so the scenario tests nothing; the end of n3's log:%n%s",
                    LocalCluster.tail(scenario.nodes.logFile("n3")))
                        .contains("TEST-ONLY FAULT test.fault.replay-off-by-one");
            }
            return scenario.check("log");
        }
    }

    /** Polls until the node's replica of shard 0 holds offsets below {@code nextOffset}, for at most 30 s. */
    private static void awaitReplicaOffset(final Admin admin, final String node, final long nextOffset) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long seen = -1;
        while (System.nanoTime() - deadlineNs < 0)
        {
            for (final Admin.ReplicaStatus replica : admin.streamStatus(JepsenRun.STREAM).get(0).replicas())
            {
                if (replica.nodeId().equals(node))
                {
                    seen = replica.nextOffset();
                }
            }
            if (seen >= nextOffset)
            {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));   // between two polls
        }
        throw new AssertionError(node + "'s replica of shard 0 reached offset " + seen + ", not " + nextOffset
            + ", in 30 s");
    }

    /** Prints how long each step of a scenario took (a step that waits out a timeout shows in the test's output). */
    private static final class Phases
    {
        private final String scenario;
        private long startNs = System.nanoTime();

        Phases(final String scenario)
        {
            this.scenario = scenario;
        }

        void done(final String step)
        {
            final long nowNs = System.nanoTime();
            System.out.printf("%s: %s in %d ms at %s%n", scenario, step, TimeUnit.NANOSECONDS.toMillis(nowNs - startNs),
                LocalTime.now());
            startNs = nowNs;
        }
    }

    /** Three nodes, a one-shard stream, a history and a client context. */
    private static final class Scenario implements AutoCloseable
    {
        final Path dir;
        final Network network;
        final NodeSet nodes;
        final HistoryLog history;
        final ClientContext context;
        Admin admin;

        Scenario(final Path dir, final Network network, final int shards) throws IOException
        {
            this.dir = dir;
            this.network = network;
            this.nodes = new NodeSet(dir.resolve("nodes"), network, NODES, 3, Map.of());
            this.history = new HistoryLog(dir.resolve("history.jsonl"));
            this.context = new ClientContext(history, nodes.metadataPeers(), "aeron", TlsSettings.disabled(),
                JepsenRun.STREAM, shards, 2, 10_000, new AtomicLong(), System.nanoTime());
        }

        void start() throws IOException, InterruptedException
        {
            for (final String id : NODES)
            {
                nodes.start(id);
            }
            admin = Admin.create(new AdminConfig().metadataPeers(nodes.metadataPeers()).transport("aeron")
                .requestTimeoutMs(3_000));
            JepsenRun.awaitNodesKnown(admin, NODES.size());
            admin.createStream(JepsenRun.STREAM, context.shards(), 3);
            admin.awaitStreamReady(JepsenRun.STREAM, Duration.ofSeconds(60));
        }

        RunVerdict check(final String workload) throws IOException
        {
            history.close();
            final RunVerdict verdict = RunChecks.checkAndWrite(dir, dir.resolve("history.jsonl"), workload,
                Map.of("scenario", dir.getFileName().toString()), Duration.ofSeconds(60));
            System.out.println(dir.getFileName() + ":\n" + verdict.summary());
            return verdict;
        }

        @Override
        public void close() throws IOException
        {
            try
            {
                if (admin != null)
                {
                    admin.close();
                }
                history.close();
            }
            finally
            {
                nodes.close();
                network.close();
            }
        }
    }
}
