package io.tributary.jepsen.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.tributary.client.Admin;
import io.tributary.client.AdminConfig;
import io.tributary.client.Consumer;
import io.tributary.client.ConsumerBatch;
import io.tributary.client.ConsumerConfig;
import io.tributary.client.Producer;
import io.tributary.client.ProducerConfig;
import io.tributary.protocol.frame.MessageType;
import io.tributary.raft.node.LocalCluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #14, point 6: random and mutated frames of every message type, sent to every node of a
 * running cluster, take no node down and change no acknowledged record; the cluster still
 * serves writes and reads afterwards. (The Jepsen nemesis {@code fuzz} does the same during a
 * workload, whose history the checker then decides.)
 */
class FrameFuzzerTest
{
    private static final List<String> NODES = List.of("n1", "n2", "n3");

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void fuzzedFramesTakeNoNodeDownAndChangeNoAcknowledgedRecord(@TempDir final Path dir) throws Exception
    {
        final long seed = Long.getLong("tributary.seed", System.nanoTime());
        System.out.println("FrameFuzzerTest seed " + seed + " (replay with -Dtributary.seed=" + seed + ")");
        try (LoopbackNetwork network = new LoopbackNetwork(NODES, "test");
             NodeSet nodes = new NodeSet(dir, network, NODES, 3, Map.of()))
        {
            for (final String id : NODES)
            {
                nodes.start(id);
            }
            try (Admin admin = Admin.create(new AdminConfig().metadataPeers(nodes.metadataPeers())
                .requestTimeoutMs(3_000));
                 Producer producer = Producer.create(new ProducerConfig().metadataPeers(nodes.metadataPeers())))
            {
                JepsenRun.awaitNodesKnown(admin, NODES.size());
                admin.createStream("s", 2, 3);
                admin.awaitStreamReady("s", Duration.ofSeconds(60));
                final List<String> sent = new ArrayList<>();
                for (int i = 0; i < 20; i++)
                {
                    sent.add("before-" + i);
                    producer.send("s", ("k" + i).getBytes(StandardCharsets.UTF_8), sent.get(i)
                        .getBytes(StandardCharsets.UTF_8))
                        .get(30, TimeUnit.SECONDS);
                }
                final List<UUID> groups = new ArrayList<>();
                admin.describeStream("s").placement().forEach(p -> groups.add(UUID.fromString(p.groupId())));

                final Random random = new Random(seed);
                try (FrameFuzzer fuzzer = new FrameFuzzer())
                {
                    for (int round = 0; round < 10; round++)
                    {
                        for (final String node : NODES)
                        {
                            assertThat(fuzzer.burst(random, nodes.address(node), groups, 300))
                                .as("%s's streams connect", node)
                                .isTrue();
                        }
                    }
                    assertThat(fuzzer.framesSent()).isGreaterThan(5_000);
                    assertThat(fuzzer.coverage()).as("every message type sent").hasSize(MessageType.values().length);
                }

                assertThat(nodes.takeExited()).as("no node exited").isEmpty();
                for (final String node : NODES)
                {
                    assertThat(nodes.isRunning(node)).as(node).isTrue();
                }
                try
                {
                    for (int i = 20; i < 30; i++)
                    {
                        sent.add("after-" + i);
                        producer.send("s", ("k" + i).getBytes(StandardCharsets.UTF_8), sent.get(i)
                            .getBytes(StandardCharsets.UTF_8))
                            .get(30, TimeUnit.SECONDS);
                    }
                }
                catch (final Exception e)
                {
                    final StringBuilder logs = new StringBuilder();
                    for (final String id : NODES)
                    {
                        Files.copy(nodes.logFile(id), Path.of("target", "fuzz-" + id + ".log"),
                            StandardCopyOption.REPLACE_EXISTING);
                        logs.append("\n--- ").append(id).append(".log (all of it in target/fuzz-").append(id)
                            .append(".log):\n")
                            .append(LocalCluster.tail(nodes.logFile(id)));
                    }
                    throw new AssertionError("writes after the fuzzing failed: " + e + logs, e);
                }
                final List<String> read = new ArrayList<>();
                try (Consumer consumer = Consumer.create(new ConsumerConfig().metadataPeers(nodes.metadataPeers())))
                {
                    consumer.assign("s");
                    final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (read.size() < sent.size() && System.nanoTime() < deadlineNs)
                    {
                        final ConsumerBatch batch = consumer.poll(Duration.ofMillis(500));
                        while (batch.nextRecord())
                        {
                            read.add(batch.record().valueAsString());
                        }
                    }
                }
                assertThat(read).as("every acknowledged record, once, unchanged")
                    .containsExactlyInAnyOrderElementsOf(sent);
            }
        }
    }
}
