package io.tributary.protocol.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import com.sun.management.ThreadMXBean;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.SendStatus;

/**
 * Two TLS sessions joined by in-memory queues (each side's messages delivered whole and in order, as an
 * Aeron publication does): the handshake, messages both ways, and every refusal the issue names.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsSessionTest
{
    @TempDir
    static Path dir;
    private static DevCertificates authority;
    private static DevCertificates.Issued node1;
    private static DevCertificates.Issued node2;
    private static DevCertificates.Issued client;
    private static DevCertificates.Issued expiredClient;
    private static DevCertificates.Issued strangerClient;

    @BeforeAll
    static void issue() throws Exception
    {
        authority = DevCertificates.createAuthority(dir.resolve("ca"), "test CA", Duration.ofDays(1));
        node1 = authority.issueNode(dir.resolve("ca"), "n1", List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        node2 = authority.issueNode(dir.resolve("ca"), "n2", List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
        client = authority.issueClient(dir.resolve("ca"), "alice", Duration.ofDays(1));
        final Instant now = Instant.now();
        expiredClient = authority.issue(dir.resolve("ca"), "old", "old", PeerIdentity.CLIENT_UNIT, List.of(),
            now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)));
        final DevCertificates stranger = DevCertificates.createAuthority(dir.resolve("other"), "other CA",
            Duration.ofDays(1));
        strangerClient = stranger.issueClient(dir.resolve("other"), "mallory", Duration.ofDays(1));
    }

    private static TlsContext context(final DevCertificates.Issued identity)
    {
        return new TlsContext(TlsSettings.of(authority.caFile(), identity.certFile(), identity.keyFile()));
    }

    /** A pair of sessions and the messages in flight between them. */
    private static final class Pair
    {
        final ArrayDeque<byte[]> toAcceptor = new ArrayDeque<>();
        final ArrayDeque<byte[]> toDialler = new ArrayDeque<>();
        final Side dialler = new Side();
        final Side acceptor = new Side();
        final TlsSession diallerSession;
        final TlsSession acceptorSession;
        /** Flips a byte of the next message to the acceptor after its prefix (a tampered record). */
        boolean tamperNextToAcceptor;
        /** Run inside each of the acceptor's sends (a send that waits for room), when set. */
        volatile Runnable blockAcceptorSends;
        /** Sends to the acceptor refused as back-pressured, from now on. */
        int refuseToAcceptor;
        final List<Long> tagsToAcceptor = new ArrayList<>();

        Pair(final SSLEngine diallerEngine, final SSLEngine acceptorEngine)
        {
            diallerSession = new TlsSession(42, true, "127.0.0.1:7002", diallerEngine, "127.0.0.1:7001", 10_000,
                (session, buffer, offset, length, tag) ->
                {
                    if (refuseToAcceptor > 0)
                    {
                        refuseToAcceptor--;
                        return SendStatus.BACK_PRESSURED;
                    }
                    tagsToAcceptor.add(tag);
                    return queue(toAcceptor, buffer, offset, length);
                }, dialler);
            acceptorSession = new TlsSession(42, false, "127.0.0.1:7001", acceptorEngine, "127.0.0.1:7002", 10_000,
                (session, buffer, offset, length, tag) ->
                {
                    final Runnable block = blockAcceptorSends;
                    if (block != null)
                    {
                        block.run();
                    }
                    return queue(toDialler, buffer, offset, length);
                }, acceptor);
        }

        private static SendStatus queue(final ArrayDeque<byte[]> queue, final DirectBuffer buffer, final int offset,
            final int length)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            queue.add(copy);
            return SendStatus.OK;
        }

        void start()
        {
            acceptorSession.start();
            diallerSession.start();
            deliverAll();
        }

        void deliverAll()
        {
            while (!toAcceptor.isEmpty() || !toDialler.isEmpty())
            {
                if (!toAcceptor.isEmpty())
                {
                    final byte[] message = toAcceptor.poll();
                    final int prefix = 2 + "127.0.0.1:7001".length();
                    if (tamperNextToAcceptor && message.length > prefix + 10)
                    {
                        message[message.length - 3] ^= 0x40;
                        tamperNextToAcceptor = false;
                    }
                    acceptorSession.onRecords(new UnsafeBuffer(message), prefix, message.length - prefix);
                }
                if (!toDialler.isEmpty())
                {
                    final byte[] message = toDialler.poll();
                    final int prefix = 2 + "127.0.0.1:7002".length();
                    diallerSession.onRecords(new UnsafeBuffer(message), prefix, message.length - prefix);
                }
            }
        }
    }

    private static final class Side implements TlsSession.Listener
    {
        final List<String> messages = new ArrayList<>();
        final List<Long> correlationIds = new ArrayList<>();
        String failure;
        LongArrayList dropped;

        @Override
        public void onMessage(final TlsSession session, final MessageType type, final long correlationId,
            final long groupIdMsb, final long groupIdLsb, final DirectBuffer buffer, final int offset,
            final int length)
        {
            // A payload over a megabyte is recorded by its length and last byte (its text would cost more than the
            // allocation a test counts).
            messages.add(type + ":" + groupIdMsb + ":" + groupIdLsb + ":" + (length > (1 << 20)
                ? length + " bytes ending " + buffer.getByte(offset + length - 1)
                : buffer.getStringWithoutLengthUtf8(offset, length)));
            correlationIds.add(correlationId);
        }

        @Override
        public void onFailed(final TlsSession session, final String reason, final LongArrayList droppedIds)
        {
            failure = reason;
            dropped = droppedIds;
        }
    }

    private static SendStatus send(final TlsSession session, final long correlationId, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return session.send(MessageType.PRODUCE_REQUEST, correlationId, 7, 9, new UnsafeBuffer(bytes), 0,
            bytes.length);
    }

    @Test
    void aHandshakeAuthenticatesBothSidesAndMessagesGoBothWaysSealed()
    {
        final Pair pair = new Pair(context(client).clientEngine("127.0.0.1", 7002), context(node2).serverEngine());
        pair.acceptorSession.start();
        pair.diallerSession.start();
        // Sent before the handshake ends: waits in the session, leaves after it.
        assertThat(send(pair.diallerSession, 1, "early")).isEqualTo(SendStatus.OK);
        pair.deliverAll();

        assertThat(pair.diallerSession.state()).isEqualTo(TlsSession.State.ESTABLISHED);
        assertThat(pair.acceptorSession.state()).isEqualTo(TlsSession.State.ESTABLISHED);
        assertThat(pair.acceptorSession.peer()).hasToString("client:alice");
        assertThat(pair.diallerSession.peer()).hasToString("node:n2");
        assertThat(pair.acceptor.messages).containsExactly("PRODUCE_REQUEST:7:9:early");

        assertThat(send(pair.diallerSession, 2, "second")).isEqualTo(SendStatus.OK);
        assertThat(send(pair.acceptorSession, 2, "answer")).isEqualTo(SendStatus.OK);
        final String large = "x".repeat(200_000) + "end";
        assertThat(send(pair.diallerSession, 3, large)).isEqualTo(SendStatus.OK);
        pair.deliverAll();
        assertThat(pair.acceptor.messages).hasSize(3);
        assertThat(pair.acceptor.messages.get(1)).isEqualTo("PRODUCE_REQUEST:7:9:second");
        assertThat(pair.acceptor.messages.get(2)).isEqualTo("PRODUCE_REQUEST:7:9:" + large);
        assertThat(pair.acceptor.correlationIds).containsExactly(1L, 2L, 3L);
        assertThat(pair.dialler.messages).containsExactly("PRODUCE_REQUEST:7:9:answer");
        assertThat(pair.dialler.failure).isNull();
        assertThat(pair.acceptor.failure).isNull();
    }

    @Test
    void messagesThePublicationRefusesWaitAndLeaveInOrderWithoutBreakingTheSession()
    {
        final Pair pair = new Pair(context(client).clientEngine("127.0.0.1", 7002), context(node2).serverEngine());
        pair.start();
        pair.tagsToAcceptor.clear();
        pair.refuseToAcceptor = 3;
        assertThat(send(pair.diallerSession, 1, "one")).isEqualTo(SendStatus.OK);
        assertThat(send(pair.diallerSession, 2, "two")).as("behind 'one', which waits").isEqualTo(SendStatus.OK);
        assertThat(pair.toAcceptor).as("both wait for back-pressure to pass").isEmpty();
        pair.diallerSession.drainBacklog();
        assertThat(send(pair.diallerSession, 3, "three")).isEqualTo(SendStatus.OK);
        pair.deliverAll();
        assertThat(pair.acceptor.messages).containsExactly("PRODUCE_REQUEST:7:9:one", "PRODUCE_REQUEST:7:9:two",
            "PRODUCE_REQUEST:7:9:three");
        assertThat(pair.acceptorSession.state()).isEqualTo(TlsSession.State.ESTABLISHED);
        assertThat(pair.diallerSession.state()).isEqualTo(TlsSession.State.ESTABLISHED);
        // A resent message carries a new attempt number, so a receiver drops its cut-short first try as incomplete.
        assertThat(pair.tagsToAcceptor).hasSize(3);
        assertThat(pair.tagsToAcceptor.get(0) & 0xFF).as("'one' on its third attempt").isEqualTo(3);
        assertThat(pair.tagsToAcceptor.get(0) >>> 8).isLessThan(pair.tagsToAcceptor.get(1) >>> 8);
    }

    /**
     * A 4 MB message (a catch-up appendEntries) is opened into one buffer: the receiving side allocates about twice
     * the message, not a buffer per record. Growing one record at a time allocated and copied about half a gigabyte
     * for it, on the network thread. Counted in bytes the thread allocated (deterministic), not in time.
     */
    @Test
    void aLargeMessageIsOpenedWithoutABufferPerRecord()
    {
        final Pair pair = new Pair(context(client).clientEngine("127.0.0.1", 7002), context(node2).serverEngine());
        pair.start();
        final byte[] large = new byte[4 << 20];
        large[large.length - 1] = 42;
        assertThat(pair.diallerSession.send(MessageType.PRODUCE_REQUEST, 5, 7, 9, new UnsafeBuffer(large), 0,
            large.length)).isEqualTo(SendStatus.OK);
        final byte[] sealed = pair.toAcceptor.poll();
        final int prefix = 2 + "127.0.0.1:7001".length();
        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(threadId);
        pair.acceptorSession.onRecords(new UnsafeBuffer(sealed), prefix, sealed.length - prefix);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertThat(pair.acceptor.failure).isNull();
        assertThat(pair.acceptor.correlationIds).containsExactly(5L);
        assertThat(pair.acceptor.messages).containsExactly("PRODUCE_REQUEST:7:9:" + large.length + " bytes ending 42");
        assertThat(allocated).as("bytes allocated to open a %d-byte message", sealed.length)
            .isLessThan(4L * sealed.length);
    }

    /**
     * The network thread opens records while a sender may hold the session, waiting in its publication for room that
     * only the driver (run by that same thread in INVOKER mode) can make: opening must not wait for the sender. It
     * did (the failure check after each message took the session's lock), and the two waited each other out.
     */
    @Test
    void recordsAreOpenedWhileASenderWaitsInsideTheSession() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch sending = new CountDownLatch(1);
        final Pair pair = new Pair(context(client).clientEngine("127.0.0.1", 7002), context(node2).serverEngine());
        pair.start();
        // The acceptor's sends now block until released, as a send waiting for room does.
        final TlsSession blockingAcceptor = pair.acceptorSession;
        final Thread sender = new Thread(() ->
        {
            pair.blockAcceptorSends = () ->
            {
                sending.countDown();
                try
                {
                    release.await(30, TimeUnit.SECONDS);
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            };
            send(blockingAcceptor, 1, "held");
        }, "sender");
        sender.start();
        assertThat(sending.await(30, TimeUnit.SECONDS)).isTrue();
        send(pair.diallerSession, 2, "opened meanwhile");
        final byte[] records = pair.toAcceptor.poll();
        final int prefix = 2 + "127.0.0.1:7001".length();
        final Thread opener = new Thread(() -> blockingAcceptor.onRecords(new UnsafeBuffer(records), prefix,
            records.length - prefix), "network");
        opener.start();
        opener.join(10_000);
        final boolean openedWhileHeld = !opener.isAlive();
        release.countDown();
        sender.join(30_000);
        opener.join(30_000);
        assertThat(openedWhileHeld).as("records opened while a sender held the session").isTrue();
        assertThat(pair.acceptor.messages).containsExactly("PRODUCE_REQUEST:7:9:opened meanwhile");
        assertThat(pair.acceptor.failure).isNull();
    }

    @Test
    void theSealedBytesDoNotCarryThePlaintext()
    {
        final Pair pair = new Pair(context(client).clientEngine("127.0.0.1", 7002), context(node2).serverEngine());
        pair.start();
        send(pair.diallerSession, 1, "secret-payload-0123456789");
        final byte[] onTheWire = pair.toAcceptor.peek();
        assertThat(new String(onTheWire, StandardCharsets.ISO_8859_1)).doesNotContain("secret-payload");
        pair.deliverAll();
        assertThat(pair.acceptor.messages).containsExactly("PRODUCE_REQUEST:7:9:secret-payload-0123456789");
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedAndBothSidesSayWhy()
    {
        final TlsContext stranger = new TlsContext(TlsSettings.of(authority.caFile(), strangerClient.certFile(),
            strangerClient.keyFile()));
        final Pair pair = new Pair(stranger.clientEngine("127.0.0.1", 7002), context(node2).serverEngine());
        pair.acceptorSession.start();
        pair.diallerSession.start();
        send(pair.diallerSession, 5, "never");
        pair.deliverAll();

        assertThat(pair.acceptorSession.state()).isEqualTo(TlsSession.State.FAILED);
        // The dialler's key manager offers no certificate the acceptor's CA signed: an empty chain, refused.
        assertThat(pair.acceptor.failure).containsIgnoringCase("certificate");
        assertThat(pair.acceptor.messages).isEmpty();
        assertThat(pair.diallerSession.state()).isEqualTo(TlsSession.State.FAILED);
        assertThat(pair.dialler.failure).as("the dialler hears the acceptor's alert").contains("alert");
    }

    @Test
    void anExpiredCertificateIsRefused()
    {
        final Pair pair = new Pair(context(expiredClient).clientEngine("127.0.0.1", 7002),
            context(node2).serverEngine());
        pair.start();
        assertThat(pair.acceptorSession.state()).isEqualTo(TlsSession.State.FAILED);
        assertThat(pair.acceptor.failure).containsAnyOf("validity", "expired", "NotAfter");
        assertThat(pair.diallerSession.state()).isEqualTo(TlsSession.State.FAILED);
    }

    @Test
    void aDiallerWithoutACertificateIsRefused() throws Exception
    {
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", authority.caCertificate());
        final TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
        trustManagers.init(trust);
        final SSLContext noKey = SSLContext.getInstance("TLSv1.3");
        noKey.init(null, trustManagers.getTrustManagers(), null);
        final SSLEngine engine = noKey.createSSLEngine("127.0.0.1", 7002);
        engine.setUseClientMode(true);

        final Pair pair = new Pair(engine, context(node2).serverEngine());
        pair.start();
        assertThat(pair.acceptorSession.state()).isEqualTo(TlsSession.State.FAILED);
        assertThat(pair.acceptor.failure).containsIgnoringCase("certificate");
        assertThat(pair.acceptorSession.peer()).isNull();
    }

    @Test
    void tls12IsNotSpoken() throws Exception
    {
        final SSLEngine engine = context(client).clientEngine("127.0.0.1", 7002);
        final SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.2"});
        engine.setSSLParameters(parameters);
        final Pair pair = new Pair(engine, context(node2).serverEngine());
        pair.start();
        assertThat(pair.acceptorSession.state()).isEqualTo(TlsSession.State.FAILED);
        assertThat(pair.acceptor.failure).containsIgnoringCase("protocol");
    }

    @Test
    void aNodeCertificateThatDoesNotNameTheDialledHostIsRefusedByTheDialler()
    {
        final Pair pair = new Pair(context(client).clientEngine("10.9.8.7", 7002), context(node2).serverEngine());
        pair.start();
        assertThat(pair.diallerSession.state()).isEqualTo(TlsSession.State.FAILED);
        assertThat(pair.dialler.failure).contains("10.9.8.7");
    }

    @Test
    void aTamperedRecordFailsTheSessionAndIsNotDelivered()
    {
        final Pair pair = new Pair(context(client).clientEngine("127.0.0.1", 7002), context(node2).serverEngine());
        pair.start();
        pair.tamperNextToAcceptor = true;
        send(pair.diallerSession, 1, "altered on the way");
        pair.deliverAll();
        assertThat(pair.acceptor.messages).isEmpty();
        assertThat(pair.acceptorSession.state()).isEqualTo(TlsSession.State.FAILED);
        assertThat(pair.acceptor.failure).isNotNull();
    }

    @Test
    void messagesThatWaitedForAFailedHandshakeAreReportedDropped()
    {
        final TlsContext stranger = new TlsContext(TlsSettings.of(authority.caFile(), strangerClient.certFile(),
            strangerClient.keyFile()));
        final Pair pair = new Pair(stranger.clientEngine("127.0.0.1", 7002), context(node2).serverEngine());
        pair.acceptorSession.start();
        pair.diallerSession.start();
        // Queued until the dialler has the server's flight: it then sends its certificate and these, so to see
        // them dropped, fail the session before that flight arrives.
        send(pair.diallerSession, 11, "a");
        send(pair.diallerSession, 12, "b");
        pair.diallerSession.fail("test: the peer went away");
        assertThat(pair.dialler.dropped.toLongArray()).containsExactly(11L, 12L);
        assertThat(send(pair.diallerSession, 13, "c")).isEqualTo(SendStatus.TLS_FAILED);
    }

    @Test
    void randomGarbageAsRecordsFailsTheAcceptorWithoutThrowing()
    {
        final Pair pair = new Pair(context(client).clientEngine("127.0.0.1", 7002), context(node2).serverEngine());
        pair.acceptorSession.start();
        final byte[] garbage = new byte[300];
        new Random(7).nextBytes(garbage);
        pair.acceptorSession.onRecords(new UnsafeBuffer(garbage), 0, garbage.length);
        assertThat(pair.acceptorSession.state()).isEqualTo(TlsSession.State.FAILED);
        assertThat(pair.acceptor.failure).isNotNull();
    }
}
