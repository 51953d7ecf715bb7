package io.tributary.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.protocol.tls.DevCertificates;
import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.protocol.tls.TlsSettings;
import io.tributary.raft.node.RunningCluster;

/**
 * Three node JVMs with TLS 1.3 on every link (front end and Raft over Aeron, each node its own certificate):
 * a client with a certificate of the cluster's CA produces and consumes as without TLS; one without TLS, or
 * with a certificate of another CA, gets nothing through and is told so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecureClusterClientTest
{
    private RunningCluster running;
    private Path certs;
    private Path dir;

    @BeforeAll
    void startCluster(@TempDir final Path dir) throws Exception
    {
        this.dir = dir;
        certs = dir.resolve("certs");
        final DevCertificates authority = DevCertificates.createAuthority(certs, "test CA", Duration.ofDays(1));
        for (int i = 1; i <= 3; i++)
        {
            authority.issueNode(certs, "n" + i, List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        }
        authority.issueClient(certs, "alice", Duration.ofDays(1));
        final Instant now = Instant.now();
        authority.issue(certs, "expired", "expired", PeerIdentity.CLIENT_UNIT, List.of(), now.minus(Duration.ofDays(9)),
            now.minus(Duration.ofDays(1)));
        running = RunningCluster.builder(dir.resolve("cluster")).tls(certs).start();
        running.createStream("sealed", 2, 3);
    }

    @AfterAll
    void stopCluster() throws Exception
    {
        if (running != null)
        {
            running.close();
        }
    }

    private TlsSettings tls(final Path caFile, final Path certFile, final Path keyFile)
    {
        return TlsSettings.of(caFile, certFile, keyFile);
    }

    private TlsSettings alice()
    {
        return tls(certs.resolve("ca.pem"), certs.resolve("alice.pem"), certs.resolve("alice.key"));
    }

    @Test
    void aClientWithACertificateProducesAndConsumesOverTls() throws Exception
    {
        final int count = 200;
        try (Producer producer = Producer.create(new ProducerConfig()
            .metadataPeers(running.processes().metadataPeers()).tls(alice()).requestTimeoutMs(5_000)))
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
            .metadataPeers(running.processes().metadataPeers()).tls(alice()).requestTimeoutMs(5_000)))
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
    }

    @Test
    void aClientWithoutTlsGetsNothingThrough()
    {
        assertThatThrownBy(() ->
        {
            try (Producer producer = Producer.create(new ProducerConfig()
                .metadataPeers(running.processes().metadataPeers()).requestTimeoutMs(1_000)))
            {
                producer.send("sealed", "k".getBytes(UTF_8), "v".getBytes(UTF_8)).get(60, TimeUnit.SECONDS);
            }
        }).hasStackTraceContaining("no response");
    }

    @Test
    void anAdminWithoutTlsCannotDeleteAStreamAndAnExpiredCertificateGetsNothingThrough() throws Exception
    {
        assertThatThrownBy(() ->
        {
            try (Admin admin = Admin.create(new AdminConfig().metadataPeers(running.processes().metadataPeers())
                .requestTimeoutMs(1_000)))
            {
                admin.deleteStream("sealed");
            }
        }).isNotNull();
        assertThatThrownBy(() ->
        {
            try (Admin admin = Admin.create(new AdminConfig().metadataPeers(running.processes().metadataPeers())
                .tls(tls(certs.resolve("ca.pem"), certs.resolve("expired.pem"), certs.resolve("expired.key")))
                .requestTimeoutMs(5_000)))
            {
                admin.deleteStream("sealed");
            }
        }).hasStackTraceContaining("alert");
        assertThat(running.metadata().query("LIST")).contains("sealed");
    }

    @Test
    void aCertificateOfAnotherCaIsRefusedWithTheReason() throws Exception
    {
        final DevCertificates stranger = DevCertificates.createAuthority(dir.resolve("stranger"), "other CA",
            Duration.ofDays(1));
        final DevCertificates.Issued mallory = stranger.issueClient(dir.resolve("stranger"), "mallory",
            Duration.ofDays(1));
        assertThatThrownBy(() ->
        {
            try (Producer producer = Producer.create(new ProducerConfig()
                .metadataPeers(running.processes().metadataPeers())
                .tls(tls(certs.resolve("ca.pem"), mallory.certFile(), mallory.keyFile())).requestTimeoutMs(5_000)))
            {
                producer.send("sealed", "k".getBytes(UTF_8), "v".getBytes(UTF_8)).get(60, TimeUnit.SECONDS);
            }
        }).hasStackTraceContaining("alert");
    }
}
