package io.tributary.protocol.aeron;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.protocol.frame.AeronLoopback;
import io.tributary.protocol.frame.FrameError;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.net.LoopbackPorts;
import io.tributary.protocol.net.ResponseHandler;
import io.tributary.protocol.tls.DevCertificates;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.tls.TlsSettings;

/**
 * Request and response over Aeron with TLS 1.3 on (a real media driver on loopback): the server learns
 * the caller's principal from its certificate, and a caller without TLS, or with a certificate the
 * cluster's CA did not sign, gets nothing through.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SecureMessageEndpointTest
{
    private static final int STREAM_ID = 4343;

    @TempDir
    Path dir;
    private DevCertificates authority;
    private EmbeddedMediaDriver serverDriver;
    private EmbeddedMediaDriver clientDriver;
    private MessageEndpoint server;
    private String address;
    private final ExecutorService responder = Executors.newSingleThreadExecutor();

    @BeforeEach
    void start() throws Exception
    {
        authority = DevCertificates.createAuthority(dir.resolve("certs"), "test CA", Duration.ofDays(1));
        final DevCertificates.Issued node = authority.issueNode(dir.resolve("certs"), "n1",
            List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        address = "127.0.0.1:" + LoopbackPorts.reserve();
        serverDriver = EmbeddedMediaDriver.launch(AeronLoopback.testConfig(dir, "server"));
        clientDriver = EmbeddedMediaDriver.launch(AeronLoopback.testConfig(dir, "client"));
        server = new MessageEndpoint("server", serverDriver, address, STREAM_ID,
            (from, type, correlationId, buffer, offset, length) ->
            {
                // Answers with who asked and what they sent, from another thread as a node's front end does (a send
                // on the network thread meets back-pressure with a budget of retries, not of time).
                final byte[] answer = (from.principal() + " said " + buffer.getStringWithoutLengthUtf8(offset, length))
                    .getBytes(StandardCharsets.UTF_8);
                responder.execute(() -> from.respond(MessageType.ADMIN_RESPONSE, correlationId,
                    new UnsafeBuffer(answer), 0, answer.length));
            },
            new TlsContext(TlsSettings.of(authority.caFile(), node.certFile(), node.keyFile())));
    }

    @AfterEach
    void stop()
    {
        CloseHelper.closeAll(server, serverDriver, clientDriver);
        responder.shutdownNow();
    }

    private MessageEndpoint client(final String name, final TlsContext tls)
    {
        return new MessageEndpoint(name, clientDriver, "127.0.0.1:0", STREAM_ID, null, tls);
    }

    private TlsContext clientTls(final DevCertificates.Issued identity)
    {
        return new TlsContext(TlsSettings.of(authority.caFile(), identity.certFile(), identity.keyFile()));
    }

    @Test
    void theServerKnowsWhoCalledAndAnswersSealed() throws Exception
    {
        final DevCertificates.Issued alice = authority.issueClient(dir.resolve("certs"), "alice", Duration.ofDays(1));
        try (MessageEndpoint client = client("alice", clientTls(alice)))
        {
            assertThat(call(client, "hello", 5_000).get(30, TimeUnit.SECONDS)).isEqualTo("client:alice said hello");
            // A second call rides the same session.
            assertThat(call(client, "again", 5_000).get(30, TimeUnit.SECONDS)).isEqualTo("client:alice said again");
            // Several TLS records (16 KiB each) and many Aeron fragments each way.
            final String large = "y".repeat(100_000);
            final String answer = call(client, large, 10_000).get(30, TimeUnit.SECONDS);
            assertThat(answer.length()).as("answer %s...", answer.substring(0, Math.min(120, answer.length())))
                .isEqualTo("client:alice said ".length() + large.length());
            assertThat(answer).startsWith("client:alice said yyy").endsWith("yyy");
        }
    }

    @Test
    void aClearRequestToATlsEndpointIsRefusedAndCounted() throws Exception
    {
        final long before = server.errors().count(FrameError.PAYLOAD_INVALID);
        try (MessageEndpoint client = client("clear", null))
        {
            final CompletableFuture<String> outcome = call(client, "let me in", 1_000);
            assertThat(outcome.get(30, TimeUnit.SECONDS)).startsWith("failed").contains("no response");
        }
        assertThat(server.errors().count(FrameError.PAYLOAD_INVALID)).isGreaterThan(before);
    }

    @Test
    void aCertificateFromAnotherCaFailsTheCallAtOnceWithTheReason() throws Exception
    {
        final DevCertificates stranger = DevCertificates.createAuthority(dir.resolve("other"), "other CA",
            Duration.ofDays(1));
        final DevCertificates.Issued mallory = stranger.issueClient(dir.resolve("other"), "mallory",
            Duration.ofDays(1));
        final TlsContext tls = new TlsContext(TlsSettings.of(authority.caFile(), mallory.certFile(),
            mallory.keyFile()));
        try (MessageEndpoint client = client("mallory", tls))
        {
            final long startNs = System.nanoTime();
            final String outcome = call(client, "let me in", 20_000).get(30, TimeUnit.SECONDS);
            assertThat(outcome).startsWith("failed").contains("alert");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)).as("failed by the alert, not the "
                + "20 s timeout").isLessThan(15_000);
        }
    }

    @Test
    void aRenewedCertificateIsUsedByTheNextSessionWithoutARestart() throws Exception
    {
        final DevCertificates.Issued first = authority.issueClient(dir.resolve("certs"), "bob", Duration.ofDays(1));
        final Path certFile = dir.resolve("client.pem");
        final Path keyFile = dir.resolve("client.key");
        Files.copy(first.certFile(), certFile);
        Files.copy(first.keyFile(), keyFile);
        final TlsContext tls = new TlsContext(TlsSettings.of(authority.caFile(), certFile, keyFile)
            .reloadCheckMs(10));
        try (MessageEndpoint client = client("bob", tls))
        {
            assertThat(call(client, "one", 5_000).get(30, TimeUnit.SECONDS)).isEqualTo("client:bob said one");
        }
        // Rotated: another name, so the server's answer shows which certificate the new session used.
        final DevCertificates.Issued renewed = authority.issueClient(dir.resolve("certs"), "carol",
            Duration.ofDays(1));
        Files.copy(renewed.keyFile(), keyFile, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(renewed.certFile(), certFile, StandardCopyOption.REPLACE_EXISTING);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!tls.identity().name().equals("carol"))
        {
            assertThat(System.nanoTime() - deadlineNs).as("the renewed certificate is not loaded").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        try (MessageEndpoint client = client("carol", tls))
        {
            assertThat(call(client, "two", 5_000).get(30, TimeUnit.SECONDS)).isEqualTo("client:carol said two");
        }
        assertThat(tls.reloads()).isPositive();
    }

    private CompletableFuture<String> call(final MessageEndpoint client, final String text, final long timeoutMs)
    {
        final CompletableFuture<String> outcome = new CompletableFuture<>();
        final byte[] body = text.getBytes(StandardCharsets.UTF_8);
        client.call(address, MessageType.ADMIN_REQUEST, new UnsafeBuffer(body), 0, body.length, timeoutMs,
            new ResponseHandler()
            {
                @Override
                public void onResponse(final MessageType type, final DirectBuffer buffer, final int offset,
                    final int length)
                {
                    outcome.complete(buffer.getStringWithoutLengthUtf8(offset, length));
                }

                @Override
                public void onFailure(final IOException error)
                {
                    outcome.complete("failed: " + error.getMessage());
                }
            });
        return outcome;
    }
}
