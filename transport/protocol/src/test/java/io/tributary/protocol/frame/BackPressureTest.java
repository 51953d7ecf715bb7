package io.tributary.protocol.frame;

import io.tributary.protocol.aeron.EmbeddedMediaDriver;

import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.aeron.NetworkLoop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;


/**
 * A receiver that stops polling: the sender gets BACK_PRESSURED after bounded retries instead of
 * buffering; what it accepted is bounded by Aeron's windows (term length), arrives once the
 * receiver polls again, and sending resumes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BackPressureTest
{
    private static final int TERM = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void stoppedReceiverGivesTheSenderABoundedBackPressureError() throws Exception
    {
        final Random random = new Random(Seeds.seed("stoppedReceiverGivesTheSenderABoundedBackPressureError"));
        try (AeronLoopback loopback = new AeronLoopback(AeronLoopback.testConfig(dir, "bp-small").offerTimeoutMs(200)))
        {
            final byte[] payload = new byte[1000];
            random.nextBytes(payload);
            final UnsafeBuffer buffer = new UnsafeBuffer(payload);
            int accepted = 0;
            SendStatus status = SendStatus.OK;
            final long startNs = System.nanoTime();
            while (status == SendStatus.OK)
            {
                status = loopback.publication.send(MessageType.CLIENT_REQUEST, accepted + 1, 0, 0, buffer, 0,
                    payload.length);
                if (status == SendStatus.OK)
                {
                    accepted++;
                }
                assertThat(accepted).as("sender never back-pressured").isLessThan(10_000);
            }
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            System.out.println("accepted " + accepted + " messages of 1000 bytes before " + status + " after "
                + elapsedMs + " ms");
            assertThat(status).isEqualTo(SendStatus.BACK_PRESSURED);
            // Publication window (term/2) + receiver window (term/2) + the receiver's term: all bounded by the term
            // length.
            final int frameBytes = FrameDescriptor.HEADER_LENGTH + payload.length + 32;
            assertThat((long)accepted * frameBytes).isLessThanOrEqualTo(3L * TERM);
            assertThat(elapsedMs).isLessThan(10_000);
            assertThat(loopback.publication.retries()).isGreaterThan(0);

            // Still back-pressured, each attempt fails within the retry budget.
            final long retryStartNs = System.nanoTime();
            assertThat(loopback.publication.send(MessageType.CLIENT_REQUEST, 999_999, 0, 0, buffer, 0, payload.length))
                .isEqualTo(SendStatus.BACK_PRESSURED);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - retryStartNs)).isLessThan(2_000);

            loopback.startPolling();
            final int expected = accepted;
            AeronLoopback.await(expected + " accepted messages delivered", () ->
                loopback.messageCount() >= expected, 30);
            assertThat(loopback.publication.send(MessageType.CLIENT_REQUEST, 1_000_000, 0, 0, buffer, 0,
                payload.length))
                .isEqualTo(SendStatus.OK);
            AeronLoopback.await("message after recovery", () -> loopback.messageCount() >= expected + 1, 30);
            final List<RecordingHandler.Message> received = loopback.messages();
            for (int i = 0; i < accepted; i++)
            {
                assertThat(received.get(i).correlationId()).as("accepted messages arrive once, in order")
                    .isEqualTo(i + 1);
            }
            assertThat(received.get(accepted).correlationId()).isEqualTo(1_000_000);
            assertThat(loopback.errors.total()).isZero();
        }
    }

    @Test
    void largeMessageToAStoppedReceiverFailsBoundedAndTheReceiverDropsItsPart() throws Exception
    {
        final Random random = new
            Random(Seeds.seed("largeMessageToAStoppedReceiverFailsBoundedAndTheReceiverDropsItsPart"));
        try (AeronLoopback loopback = new AeronLoopback(AeronLoopback.testConfig(dir, "bp-large").offerTimeoutMs(200)))
        {
            final byte[] large = new byte[2 << 20];
            random.nextBytes(large);
            assertThat(loopback.publication.send(MessageType.APPEND_ENTRIES_REQUEST, 1, 0, 0, new UnsafeBuffer(large),
                0, large.length))
                .isEqualTo(SendStatus.BACK_PRESSURED);
            loopback.startPolling();
            final byte[] next = new byte[20_000];
            random.nextBytes(next);
            AeronLoopback.await("publication has room again", () -> loopback.publication.publication()
                .availableWindow() > 20_000, 30);
            assertThat(loopback.publication.send(MessageType.APPEND_ENTRIES_REQUEST, 2, 0, 0, new UnsafeBuffer(next), 0,
                next.length))
                .isEqualTo(SendStatus.OK);
            AeronLoopback.await("next message", () -> loopback.messageCount() >= 1, 30);
            assertThat(loopback.messages()).hasSize(1);
            assertThat(loopback.messages().get(0).payload()).isEqualTo(next);
            assertThat(loopback.errors.count(FrameError.REASSEMBLY_INCOMPLETE)).isEqualTo(1);
        }
    }

    /**
     * The network thread runs the driver in INVOKER mode: it must not wait for a send that waits for that driver.
     * With TLS on, it did (a session reset behind an appendEntries waiting for room): both waited out the sender's
     * retry budget with the driver standing still, sessions failed, and 20,000 records/s fell to 6,500.
     */
    @Test
    void sendIfIdleDoesNotWaitForASendThatWaitsForRoom() throws Exception
    {
        try (AeronLoopback loopback = new AeronLoopback(AeronLoopback.testConfig(dir, "bp-idle").offerTimeoutMs(4_000)
            .offerRetriesMax(AeronTransportConfig.RETRIES_MAX)))
        {
            final byte[] large = new byte[2 << 20];
            final SendStatus[] waited = new SendStatus[1];
            final Thread sender = new Thread(() -> waited[0] = loopback.publication.send(
                MessageType.APPEND_ENTRIES_REQUEST, 1, 0, 0, new UnsafeBuffer(large), 0, large.length), "sender");
            sender.start();
            AeronLoopback.await("the sender waits for room", loopback.publication::sending, 30);
            final long startNs = System.nanoTime();
            final SendStatus skipped = loopback.publication.sendIfIdle(MessageType.TLS_RECORDS, 2, 0, 0,
                new UnsafeBuffer(new byte[16]), 0, 16);
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertThat(skipped).isEqualTo(SendStatus.BACK_PRESSURED);
            assertThat(elapsedMs).as("ms sendIfIdle took beside a waiting send").isLessThan(1_000);
            assertThat(loopback.publication.sending()).as("the other send still waits").isTrue();
            loopback.startPolling();
            sender.join(30_000);
            assertThat(waited[0]).isEqualTo(SendStatus.OK);
            assertThat(loopback.publication.sendIfIdle(MessageType.TLS_RECORDS, 3, 0, 0, new UnsafeBuffer(new byte[16]),
                0, 16)).as("idle now").isEqualTo(SendStatus.OK);
        }
    }

    @Test
    void aSendOnTheNetworkThreadRunsTheDriverWhileAnotherSendWaitsForRoom() throws Exception
    {
        try (AeronLoopback loopback = new AeronLoopback(AeronLoopback.testConfig(dir, "bp-loop").offerTimeoutMs(4_000)
            .offerRetriesMax(AeronTransportConfig.RETRIES_MAX)))
        {
            final NetworkLoop network = loopback.driver.network();
            assertThat(network != null && network.invokesDriver()).as("the driver runs in the network thread").isTrue();
            final FramedPublication publication = new FramedPublication(loopback.driver.aeron().addExclusivePublication(
                loopback.subscription.tryResolveChannelEndpointPort(), AeronLoopback.STREAM_ID), true, loopback.config,
                SystemNanoClock.INSTANCE, network);
            try
            {
                AeronLoopback.await("connected", publication::isConnected, 10);
                final byte[] large = new byte[2 << 20];
                final AtomicReference<SendStatus> waited = new AtomicReference<>();
                final Thread sender = new Thread(() -> waited.set(publication.send(MessageType.APPEND_ENTRIES_REQUEST,
                    1, 0, 0, new UnsafeBuffer(large), 0, large.length)), "sender");
                sender.start();
                AeronLoopback.await("the sender waits for room", publication::sending, 30);
                // A reply completed on the network thread sends again (as Ratis's async client does).
                final AtomicBoolean entered = new AtomicBoolean();
                final AtomicReference<SendStatus> fromLoop = new AtomicReference<>();
                final NetworkLoop.Pollable resend = nowNs ->
                {
                    if (entered.compareAndSet(false, true))
                    {
                        final UnsafeBuffer small = new UnsafeBuffer(new byte[16]);
                        fromLoop.set(publication.send(MessageType.CLIENT_REQUEST, 2, 0, 0, small, 0, 16));
                        return 1;
                    }
                    return 0;
                };
                network.register(resend);
                try
                {
                    AeronLoopback.await("the network thread sends", entered::get, 30);
                    loopback.startPolling();
                    sender.join(30_000);
                    AeronLoopback.await("the network thread's send returns", () -> fromLoop.get() != null, 30);
                }
                finally
                {
                    network.deregister(resend);
                }
                assertThat(waited.get()).as("the waiting send, with the driver run while the network thread waits")
                    .isEqualTo(SendStatus.OK);
                assertThat(fromLoop.get()).isEqualTo(SendStatus.OK);
                AeronLoopback.await("both messages arrive", () -> loopback.messageCount() == 2, 30);
            }
            finally
            {
                CloseHelper.close(publication);
            }
        }
    }

    @Test
    void sendingToNobodyFailsWithNotConnectedAndTooLargeIsRefused() throws Exception
    {
        final AeronTransportConfig config = AeronLoopback.testConfig(dir, "bp-nobody").offerTimeoutMs(200)
            .messageBytesMax(1 << 20);
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(config))
        {
            // Port 9 (discard): nothing of ours listens there, so the publication never connects.
            final FramedPublication publication = new FramedPublication(
                driver.aeron().addExclusivePublication("aeron:udp?endpoint=127.0.0.1:9", 1001), true, config,
                    SystemNanoClock.INSTANCE);
            try
            {
                final long startNs = System.nanoTime();
                assertThat(publication.send(MessageType.REQUEST_VOTE_REQUEST, 1, 0, 0, new UnsafeBuffer(new byte[10]),
                    0, 10))
                    .isEqualTo(SendStatus.NOT_CONNECTED);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)).isLessThan(5_000);
                assertThat(publication.send(MessageType.APPEND_ENTRIES_REQUEST, 2, 0, 0,
                    new UnsafeBuffer(new byte[(1 << 20) + 1]), 0,
                    (1 << 20) + 1)).isEqualTo(SendStatus.MESSAGE_TOO_LARGE);
                assertThat(publication.failures()).isEqualTo(2);
                assertThat(publication.scratchCapacity()).isZero();
            }
            finally
            {
                CloseHelper.close(publication);
            }
        }
    }
}
