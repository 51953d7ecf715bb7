package io.tributary.protocol.aeron;

import io.tributary.protocol.frame.AeronLoopback;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.net.LoopbackPorts;
import io.tributary.protocol.net.ResponseHandler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A peer that restarts at the same address (kill -9, then a new process) must get the first request
 * sent to it. Aeron drops a message sent before the new receiver has joined the stream, and a
 * publication counts as connected until its receiver has been silent for
 * publication.connection.timeout.ms: with Aeron's 5 s default, a request sent to a node restarted
 * within 5 s was accepted and lost, and its caller waited out the whole request timeout (60 s for a
 * leadership transfer in FaultSwitchDetectionTest).
 */
class PeerRestartTest
{
    private static final int STREAM_ID = 4242;
    private static final long CONNECTION_TIMEOUT_MS = 500;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void theFirstRequestToAPeerRestartedAtTheSameAddressIsAnswered(@TempDir final Path dir) throws Exception
    {
        final String address = "127.0.0.1:" + LoopbackPorts.reserve();
        final EmbeddedMediaDriver clientDriver = EmbeddedMediaDriver.launch(config(dir, "client"));
        final MessageEndpoint client = new MessageEndpoint("client", clientDriver, "127.0.0.1:0", STREAM_ID, null);
        try
        {
            for (int incarnation = 0; incarnation < 3; incarnation++)
            {
                final EmbeddedMediaDriver serverDriver =
                    EmbeddedMediaDriver.launch(config(dir, "server" + incarnation));
                final MessageEndpoint server =
                    new MessageEndpoint("server" + incarnation, serverDriver, address, STREAM_ID,
                    (from, type, correlationId, buffer, offset, length) ->
                        from.respond(MessageType.ADMIN_RESPONSE, correlationId, buffer, offset, length));
                try
                {
                    // The first request after the restart: sent before the new receiver joined, it was lost.
                    assertThat(call(client, address)).as("first request to incarnation %d of %s", incarnation, address)
                        .isEqualTo("answered");
                    assertThat(call(client, address)).isEqualTo("answered");
                }
                finally
                {
                    CloseHelper.closeAll(server, serverDriver);
                }
                // The publication must stop counting as connected once the peer is silent for the timeout, not
                // after Aeron's 5 s; a node restarts no faster than that (JVM start, driver, bind).
                final long silentFromNs = System.nanoTime();
                final long deadlineNs = silentFromNs + TimeUnit.SECONDS.toNanos(4);
                while (client.isConnectedTo(address))
                {
                    assertThat(System.nanoTime() - deadlineNs)
                        .as("the publication to %s still counts as connected %d ms after its peer closed (timeout %d "
                        + "ms)", address, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentFromNs),
                        CONNECTION_TIMEOUT_MS).isNegative();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
        }
        finally
        {
            CloseHelper.closeAll(client, clientDriver);
        }
    }

    /**
     * A request in flight to a node that dies (no answer will come; UDP carries no reset) fails once the
     * publication counts the node as silent, not at the end of its timeout: the caller can try another
     * replica at once. Then the node is known down, and a new request to it fails at once too.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aRequestInFlightToAPeerThatDiesFailsWhenThePeerGoesSilentNotAtItsTimeout(@TempDir final Path dir)
        throws Exception
    {
        final String address = "127.0.0.1:" + LoopbackPorts.reserve();
        final EmbeddedMediaDriver clientDriver = EmbeddedMediaDriver.launch(config(dir, "client"));
        final MessageEndpoint client =
            new MessageEndpoint("client", clientDriver, address.replaceAll(":.*", ":0"), STREAM_ID, null);
        final EmbeddedMediaDriver serverDriver = EmbeddedMediaDriver.launch(config(dir, "server"));
        // Answers the first request only: the second stays in flight when the server dies.
        final AtomicInteger requests = new AtomicInteger();
        final MessageEndpoint server = new MessageEndpoint("server", serverDriver, address, STREAM_ID,
            (from, type, correlationId, buffer, offset, length) ->
            {
                if (requests.incrementAndGet() == 1)
                {
                    from.respond(MessageType.ADMIN_RESPONSE, correlationId, buffer, offset, length);
                }
            });
        try
        {
            assertThat(call(client, address, 4_000)).isEqualTo("answered");
            final CompletableFuture<String> inFlight = callAsync(client, address, 60_000);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (requests.get() < 2)
            {
                assertThat(System.nanoTime() - deadlineNs).as("the second request reached the server").isNegative();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            CloseHelper.closeAll(server, serverDriver);
            // Its timeout is 60 s: only the silence can end it within 30.
            assertThat(inFlight.get(30, TimeUnit.SECONDS)).contains("went silent after the request was sent");
            assertThat(client.knownDown(address)).as("not known down before a send found it gone").isFalse();
            assertThat(call(client, address, 60_000)).contains("NOT_CONNECTED");
            assertThat(client.knownDown(address)).isTrue();
        }
        finally
        {
            CloseHelper.closeAll(server, serverDriver, client, clientDriver);
        }
    }

    private static AeronTransportConfig config(final Path dir, final String node)
    {
        // Offers wait up to 2 s for the new receiver's handshake, which takes milliseconds on an idle machine.
        return AeronLoopback.testConfig(dir, node).publicationConnectionTimeoutMs(CONNECTION_TIMEOUT_MS)
            .offerTimeoutMs(2_000);
    }

    private static String call(final MessageEndpoint client, final String address) throws Exception
    {
        return call(client, address, 4_000);
    }

    private static String call(final MessageEndpoint client, final String address, final long timeoutMs)
        throws Exception
    {
        return callAsync(client, address, timeoutMs).get(30, TimeUnit.SECONDS);
    }

    private static CompletableFuture<String> callAsync(final MessageEndpoint client, final String address,
        final long timeoutMs)
    {
        final CompletableFuture<String> outcome = new CompletableFuture<>();
        final UnsafeBuffer body = new UnsafeBuffer(new byte[16]);
        client.call(address, MessageType.ADMIN_REQUEST, body, 0, body.capacity(), timeoutMs, new ResponseHandler()
        {
            @Override
            public void onResponse(final MessageType type, final DirectBuffer buffer, final int offset,
                final int length)
            {
                outcome.complete("answered");
            }

            @Override
            public void onFailure(final IOException error)
            {
                outcome.complete(error.getMessage());
            }
        });
        return outcome;
    }
}
