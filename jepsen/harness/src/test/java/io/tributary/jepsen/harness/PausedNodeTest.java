package io.tributary.jepsen.harness;

import io.tributary.client.Admin;
import io.tributary.client.AdminConfig;
import io.tributary.client.Producer;
import io.tributary.client.ProducerConfig;
import io.tributary.raft.node.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression tests for a bug the harness found (register, all faults, seed 101): a node paused
 * with SIGSTOP for 12 s found its Aeron client closed when it resumed (Aeron's client liveness
 * timeout was 10 s) and stayed up but deaf for good; the metadata quorum never recovered. Now
 * the timeout is 30 s, and a longer stall makes the node exit (code 3) so it is restarted.
 */
class PausedNodeTest
{
    private static final List<String> NODES = List.of("n1", "n2", "n3");

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aNodePausedForTwelveSecondsStillWorksWhenResumed(@TempDir final Path dir) throws Exception
    {
        try (LoopbackNetwork network = new LoopbackNetwork(NODES, "test");
             NodeSet nodes = new NodeSet(dir, network, NODES, 3, Map.of()))
        {
            for (final String id : NODES)
            {
                nodes.start(id);
            }
            try (Admin admin = Admin.create(new AdminConfig().metadataPeers(nodes.metadataPeers())
                .requestTimeoutMs(3_000)))
            {
                JepsenRun.awaitNodesKnown(admin, NODES.size());
                admin.createStream("s", 1, 3);
                admin.awaitStreamReady("s", Duration.ofSeconds(60));
                nodes.pause("n1");
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(12));
                nodes.resume("n1");

                // n1 must take part again: it can become the shard's leader and store a record.
                final AtomicReference<Exception> lastRefusal = new AtomicReference<>();
                try
                {
                    LocalCluster.await("leadership moved to n1", 60_000, () ->
                    {
                        try
                        {
                            admin.transferLeadership("s", 0, "n1", Duration.ofSeconds(10));
                            return true;
                        }
                        catch (final Exception e)
                        {
                            lastRefusal.set(e);
                            return false;
                        }
                    });
                }
                catch (final AssertionError e)
                {
                    final StringBuilder logs = new StringBuilder();
                    for (final String id : NODES)
                    {
                        logs.append("\n--- ").append(id).append(".log:\n").append(LocalCluster.tail(nodes.logFile(id)));
                    }
                    throw new AssertionError(e.getMessage() + "; last refusal: " + lastRefusal.get() + logs, e);
                }
                try (Producer producer = Producer.create(new ProducerConfig().metadataPeers(nodes.metadataPeers())))
                {
                    assertThat(producer.send("s", null, "after the pause".getBytes(StandardCharsets.UTF_8))
                        .get(30, TimeUnit.SECONDS).offset()).isGreaterThanOrEqualTo(0);
                }
                assertThat(nodes.takeExited()).as("no node exited").isEmpty();
            }
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aNodeStalledLongerThanTheLivenessTimeoutExitsInsteadOfStayingDeaf(@TempDir final Path dir) throws Exception
    {
        try (LoopbackNetwork network = new LoopbackNetwork(NODES, "test");
             NodeSet nodes = new NodeSet(dir, network, NODES, 3, Map.of("transport.aeron.driver.timeout.ms", "2000")))
        {
            for (final String id : NODES)
            {
                nodes.start(id);
            }
            nodes.pause("n3");
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(5));
            nodes.resume("n3");
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (nodes.isRunning("n3"))
            {
                assertThat(System.nanoTime() - deadlineNs).as("n3 still runs 60 s after a 5 s stall; its log:\n%s",
                    LocalCluster.tail(nodes.logFile("n3"))).isNegative();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            assertThat(nodes.takeExited()).containsEntry("n3", 3);
            assertThat(Files.readString(nodes.logFile("n3"))).contains("the Aeron transport closed itself");
            nodes.start("n3");
            assertThat(nodes.isRunning("n3")).isTrue();
        }
    }
}
