package io.tributary.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
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

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.tributary.format.AppendStatus;
import io.tributary.protocol.access.Grant;
import io.tributary.protocol.access.Role;
import io.tributary.protocol.tls.DevCertificates;
import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.protocol.tls.TlsSettings;
import io.tributary.raft.node.RunningCluster;

/**
 * Three node JVMs with TLS 1.3 on every link (front end and Raft over Aeron, each node its own certificate):
 * a client with a certificate of the cluster's CA produces and consumes as without TLS; one without TLS, or
 * with a certificate of another CA, gets nothing through and is told so; a principal without a role is denied
 * (issue #17, point 3) and audited (point 4).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecureClusterClientTest
{
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

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
        authority.issueClient(certs, "bob", Duration.ofDays(1));
        authority.issueClient(certs, "admin", Duration.ofDays(1));
        authority.issueClient(certs, "carol", Duration.ofDays(1));
        final Instant now = Instant.now();
        authority.issue(certs, "expired", "expired", PeerIdentity.CLIENT_UNIT, List.of(), now.minus(Duration.ofDays(9)),
            now.minus(Duration.ofDays(1)));
        running = RunningCluster.builder(dir.resolve("cluster")).tls(certs).start();
        running.createStream("sealed", 2, 3);
        running.createStream("guarded", 2, 3);
        // Deny by default: alice may produce to and read "sealed" once client:admin (the nodes' bootstrap admin) says.
        try (Admin admin = Admin.create(new AdminConfig().metadataPeers(running.processes().metadataPeers())
            .tls(as("admin")).requestTimeoutMs(5_000)))
        {
            admin.grant("client:alice", Role.PRODUCER, "sealed");
            admin.grant("client:alice", Role.CONSUMER, "seal*");
        }
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
        return as("alice");
    }

    private TlsSettings as(final String name)
    {
        return tls(certs.resolve("ca.pem"), certs.resolve(name + ".pem"), certs.resolve(name + ".key"));
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

    /**
     * Issue #17, point 3: a principal without a role is refused everything, with the role it needs, and nothing of its
     * requests takes effect; a grant lets it do exactly that (at once), and the revocation takes it back.
     */
    @Test
    void aPrincipalWithoutTheRoleIsDeniedUntilGrantedAndAgainOnceRevoked() throws Exception
    {
        final long before = running.metadata().query("DESCRIBE", "guarded").length();
        assertThatThrownBy(() -> Producer.create(new ProducerConfig()
            .metadataPeers(running.processes().metadataPeers()).tls(as("bob")).requestTimeoutMs(5_000)).close())
            .isInstanceOf(AccessDeniedException.class).hasMessageContaining("client:bob may not take a producer id");
        try (Admin bob = Admin.create(new AdminConfig().metadataPeers(running.processes().metadataPeers())
            .tls(as("bob")).requestTimeoutMs(5_000));
             Admin admin = Admin.create(new AdminConfig().metadataPeers(running.processes().metadataPeers())
                 .tls(as("admin")).requestTimeoutMs(5_000)))
        {
            assertThatThrownBy(() -> bob.deleteStream("guarded")).isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("client:bob may not manage stream 'guarded': it needs stream-admin");
            assertThatThrownBy(() -> bob.createStream("bobs", 1, 3)).isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(() -> bob.grant("client:bob", Role.CLUSTER_ADMIN, "*"))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("cluster-admin");
            assertThatThrownBy(() -> bob.removeNode("n3")).isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(bob::grants).isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(() -> readOne(as("bob"))).isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("client:bob may not describe stream 'guarded'");
            assertThat(running.metadata().query("LIST")).contains("guarded").doesNotContain("bobs");
            assertThat(running.metadata().query("NODES")).doesNotContain("DRAINING");
            assertThat(running.metadata().query("DESCRIBE", "guarded").length()).isEqualTo(before);

            // A consumer of the stream who produces elsewhere gets a producer id, and its records to it are refused.
            admin.grant("client:bob", Role.PRODUCER, "elsewhere");
            admin.grant("client:bob", Role.CONSUMER, "guarded");
            assertThat(admin.grants()).contains(new Grant("client:bob", Role.CONSUMER, "guarded"),
                new Grant("client:alice", Role.PRODUCER, "sealed"));
            try (Producer producer = Producer.create(new ProducerConfig()
                .metadataPeers(running.processes().metadataPeers()).tls(as("bob")).requestTimeoutMs(5_000)))
            {
                assertThatThrownBy(() -> producer.send("guarded", "k".getBytes(UTF_8), "v".getBytes(UTF_8))
                    .get(60, TimeUnit.SECONDS)).cause().isInstanceOf(AppendRejectedException.class)
                    .hasMessageContaining("client:bob may not produce to stream 'guarded': it needs producer")
                    .satisfies(e -> assertThat(((AppendRejectedException)e).status())
                        .isEqualTo(AppendStatus.NOT_AUTHORIZED));
            }
            readOne(as("bob"));
            assertThatThrownBy(() -> bob.deleteStream("guarded")).as("a consumer manages nothing")
                .isInstanceOf(AccessDeniedException.class);

            // A producer of the stream may describe it, and not read it once the consumer grant is revoked: each node
            // drops it at its next refresh of the rules (half a second).
            admin.grant("client:bob", Role.PRODUCER, "guarded");
            admin.revoke("client:bob", Role.CONSUMER, "guarded");
            assertThatThrownBy(() -> admin.revoke("client:bob", Role.CONSUMER, "guarded"))
                .isInstanceOf(TributaryException.class).hasMessageContaining("no grant");
            awaitDenied(as("bob"), "client:bob may not read stream 'guarded': it needs consumer");

            // Without any role on it, the stream is not even described.
            admin.revoke("client:bob", Role.PRODUCER, "guarded");
            awaitDenied(as("bob"), "client:bob may not describe stream 'guarded'");
        }
    }

    /**
     * Issue #17, point 4: admin operations, denied requests and the sessions a node accepts are recorded, by the
     * nodes, in the replicated audit trail, each record chained to the one before; only an auditor reads it.
     */
    @Test
    void theAuditTrailRecordsAdminOperationsAndDenialsAndOnlyAnAuditorReadsIt() throws Exception
    {
        try (Admin admin = Admin.create(new AdminConfig().metadataPeers(running.processes().metadataPeers())
            .tls(as("admin")).requestTimeoutMs(5_000));
             Admin bob = Admin.create(new AdminConfig().metadataPeers(running.processes().metadataPeers())
                 .tls(as("bob")).requestTimeoutMs(5_000)))
        {
            // The callers' trace context travels with their admin requests: the records name its trace id.
            final Span traced = Span.wrap(SpanContext.create(TRACE_ID, "00f067aa0ba902b7", TraceFlags.getSampled(),
                TraceState.getDefault()));
            try (Scope scope = traced.makeCurrent())
            {
                admin.grant("client:carol", Role.AUDITOR, "*");
                assertThatThrownBy(() -> bob.createStream("audited", 1, 3)).isInstanceOf(AccessDeniedException.class);
            }
        }
        assertThatThrownBy(() ->
        {
            try (Consumer alice = Consumer.create(new ConsumerConfig()
                .metadataPeers(running.processes().metadataPeers()).tls(alice()).requestTimeoutMs(5_000)))
            {
                AuditTrailReader.read(alice, Duration.ofSeconds(30), (offset, record) ->
                {
                });
            }
        }).as("a consumer of other streams").isInstanceOf(AccessDeniedException.class);

        // The nodes write the trail in the background: poll it until both records are there.
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final List<String> records = new ArrayList<>();
            final AuditTrailReader.Result result;
            try (Consumer carol = Consumer.create(new ConsumerConfig()
                .metadataPeers(running.processes().metadataPeers()).tls(as("carol")).requestTimeoutMs(5_000)))
            {
                result = AuditTrailReader.read(carol, Duration.ofSeconds(30),
                    (offset, record) -> records.add(record.toString()));
            }
            catch (final AccessDeniedException | IOException notYet)
            {
                // the trail's stream is being created, or carol's grant has not reached that node yet
                assertThat(System.nanoTime() - deadlineNs).as("the trail readable in time: %s", notYet).isNegative();
                continue;
            }
            assertThat(result.broken()).as("the chain of %d records", result.checked()).isNull();
            final boolean granted = records.stream().anyMatch(r -> r.contains("client:admin@")
                && r.contains("GRANT client:carol auditor *: ok") && r.endsWith(" trace " + TRACE_ID));
            final boolean denied = records.stream().anyMatch(r -> r.contains("client:bob@")
                && r.contains("manage_stream audited: denied: client:bob may not manage stream 'audited'")
                && r.endsWith(" trace " + TRACE_ID));
            final boolean sessionOpened = records.stream().anyMatch(r -> r.contains("client:bob@")
                && r.contains("session-open -: ok: TLS session"));
            if (granted && denied && sessionOpened)
            {
                break;
            }
            assertThat(System.nanoTime() - deadlineNs).as("grant, denial, session audited in time: %s", records)
                .isNegative();
        }
    }

    /** Reads with {@code tls} until refused with {@code denial} (within 30 s): a revocation reaches every node. */
    private void awaitDenied(final TlsSettings tls, final String denial) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            try
            {
                readOne(tls);
            }
            catch (final AccessDeniedException expected)
            {
                if (expected.getMessage().contains(denial))
                {
                    return;
                }
            }
            assertThat(System.nanoTime() - deadlineNs).as("the revocation took effect in time").isNegative();
        }
    }

    /** Writes a record to the stream (as the admin), then polls it from the start with {@code tls} until one comes. */
    private void readOne(final TlsSettings tls) throws Exception
    {
        try (Producer producer = Producer.create(new ProducerConfig()
            .metadataPeers(running.processes().metadataPeers()).tls(as("admin")).requestTimeoutMs(5_000)))
        {
            producer.send("guarded", "k".getBytes(UTF_8), "v".getBytes(UTF_8)).get(60, TimeUnit.SECONDS);
        }
        try (Consumer consumer = Consumer.create(new ConsumerConfig()
            .metadataPeers(running.processes().metadataPeers()).tls(tls).requestTimeoutMs(5_000)))
        {
            consumer.assign("guarded");
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true)
            {
                assertThat(System.nanoTime() - deadlineNs).as("a record read in time").isNegative();
                if (consumer.poll(Duration.ofMillis(500)).nextRecord())
                {
                    return;
                }
            }
        }
    }
}
