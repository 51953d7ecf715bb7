package io.tributary.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.protocol.access.Role;
import io.tributary.protocol.tls.DevCertificates;
import io.tributary.protocol.tls.TlsSettings;
import io.tributary.raft.node.RunningCluster;

/**
 * Three node JVMs on one of Ratis's own transports (gRPC, Netty) with TLS 1.3 on every link (issue #17, point 1):
 * Raft between the nodes over that transport's TLS with node certificates, the front end over Aeron's. The metadata
 * quorum, the shard groups and the controller work as without TLS, and a client with a role produces and reads back
 * what it wrote; the audit trail records the Raft connections the nodes accepted from each other, with their node
 * principals. Run once per transport by its subclasses.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
abstract class SecureRatisClusterTest
{
    /** {@code grpc} or {@code netty}. */
    abstract String transport();

    @Test
    void aSecureClusterProducesAndConsumes(@TempDir final Path dir) throws Exception
    {
        final Path certs = dir.resolve("certs");
        final DevCertificates authority = DevCertificates.createAuthority(certs, "test CA", Duration.ofDays(1));
        for (int i = 1; i <= 3; i++)
        {
            authority.issueNode(certs, "n" + i, List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        }
        authority.issueClient(certs, "alice", Duration.ofDays(1));
        authority.issueClient(certs, "admin", Duration.ofDays(1));
        authority.issueClient(certs, "carol", Duration.ofDays(1));
        try (RunningCluster running = RunningCluster.builder(dir.resolve("cluster")).transport(transport()).tls(certs)
            .start())
        {
            running.createStream("sealed", 2, 3);
            try (Admin admin = Admin.create(new AdminConfig().metadataPeers(running.processes().metadataPeers())
                .tls(as(certs, "admin")).requestTimeoutMs(5_000)))
            {
                admin.grant("client:alice", Role.PRODUCER, "sealed");
                admin.grant("client:alice", Role.CONSUMER, "sealed");
                admin.grant("client:carol", Role.AUDITOR, "*");
            }
            final int count = 100;
            try (Producer producer = Producer.create(new ProducerConfig()
                .metadataPeers(running.processes().metadataPeers()).tls(as(certs, "alice")).requestTimeoutMs(5_000)))
            {
                final List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < count; i++)
                {
                    sent.add(producer.send("sealed", ("key-" + i).getBytes(UTF_8), ("value-" + i).getBytes(UTF_8)));
                }
                for (final CompletableFuture<RecordMetadata> future : sent)
                {
                    future.get(60, TimeUnit.SECONDS);
                }
            }
            int read = 0;
            try (Consumer consumer = Consumer.create(new ConsumerConfig()
                .metadataPeers(running.processes().metadataPeers()).tls(as(certs, "alice")).requestTimeoutMs(5_000)))
            {
                consumer.assign("sealed");
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (read < count)
                {
                    assertThat(System.nanoTime() - deadlineNs).as("read %d of %d in time", read, count).isNegative();
                    final ConsumerBatch batch = consumer.poll(Duration.ofMillis(500));
                    while (batch.nextRecord())
                    {
                        final String key = new String(batch.record().keyBytes(), UTF_8);
                        assertThat(batch.record().valueAsString()).isEqualTo("value-" + key.substring(4));
                        read++;
                    }
                }
            }
            assertThat(read).isEqualTo(count);
            awaitAuditedRaftConnection(running, certs);
        }
    }

    /** Polls the audit trail (the nodes write it in the background) until it shows a node's Raft connection. */
    private void awaitAuditedRaftConnection(final RunningCluster running, final Path certs) throws Exception
    {
        final String opened = "session-open -: ok: Raft TLS connection (" + transport() + ")";
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final List<String> records = new ArrayList<>();
            try (Consumer carol = Consumer.create(new ConsumerConfig()
                .metadataPeers(running.processes().metadataPeers()).tls(as(certs, "carol")).requestTimeoutMs(5_000)))
            {
                final AuditTrailReader.Result result = AuditTrailReader.read(carol, Duration.ofSeconds(30),
                    (offset, record) -> records.add(record.toString()));
                assertThat(result.broken()).as("the chain of %d records", result.checked()).isNull();
            }
            catch (final AccessDeniedException | IOException notYet)
            {
                // the trail's stream is being created, or carol's grant has not reached that node yet
            }
            final Pattern raftConnection =
                Pattern.compile(".* node:n[123]@127\\.0\\.0\\.1:\\d+ " + Pattern.quote(opened));
            if (records.stream().anyMatch(r -> raftConnection.matcher(r).matches()))
            {
                return;
            }
            assertThat(System.nanoTime() - deadlineNs).as("a Raft connection audited in time: %s", records)
                .isNegative();
        }
    }

    private static TlsSettings as(final Path certs, final String name)
    {
        return TlsSettings.of(certs.resolve("ca.pem"), certs.resolve(name + ".pem"), certs.resolve(name + ".key"));
    }
}
