package io.tributary.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.client.AdminConfig;
import io.tributary.protocol.FetchResponseDescriptor;
import io.tributary.protocol.FrontEndProtocol;
import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;
import io.tributary.protocol.aeron.MessageEndpoint;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.net.LoopbackPorts;

/**
 * Channels pass over a replica whose node is known to be down (it answered before and has gone
 * silent): a channel opened then starts at the next replica, as one that failed over does, instead
 * of paying a failure and a retry back-off on the dead node first. Every consumer read of the Jepsen
 * harness opens a fresh channel: with the preferred replica killed, each such read took the 100 ms
 * back-off. Two real front-end endpoints (Aeron, each with its own driver) stand in for two nodes;
 * they answer every fetch with an empty OK.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeLinksFailoverTest
{
    @TempDir
    Path dir;

    @Test
    void aChannelOpenedWhileThePreferredReplicaIsDownStartsAtTheNextAndComesBackToItOnceItIsUp() throws Exception
    {
        final int[] ports = LoopbackPorts.reserve(2, List.of());
        final String addressA = "127.0.0.1:" + ports[0];
        final String addressB = "127.0.0.1:" + ports[1];
        final AtomicInteger fetchesA = new AtomicInteger();
        final AtomicInteger fetchesB = new AtomicInteger();
        FakeNode a = new FakeNode(dir, "a", addressA, fetchesA);
        final FakeNode b = new FakeNode(dir, "b", addressB, fetchesB);
        final Map<String, String> replicas = new LinkedHashMap<>();
        replicas.put("a", addressA);
        replicas.put("b", addressB);
        final StreamInfo.ShardInfo shard = new StreamInfo.ShardInfo(0, UUID.randomUUID(), replicas);
        try (FrontEndClient client = FrontEndClient.connect(new AdminConfig().metadataPeers(Map.of("a", addressA))
            .transport("aeron").requestTimeoutMs(3_000)))
        {
            final NodeLinks links = new NodeLinks(client);
            final ShardChannel first = links.open(shard);
            assertThat(first.leader()).as("the preferred replica first").isEqualTo("a");
            assertThat(read(links, first)).isEqualTo("answered");
            assertThat(fetchesA.get()).isEqualTo(1);

            a.close();
            final MessageEndpoint transport = (MessageEndpoint)client.transport();
            await("the client's publication to a counts a as gone", () -> !transport.isConnectedTo(addressA));
            assertThat(client.transport().knownDown(addressA)).as("not known down before anything was sent").isFalse();
            assertThat(read(links, first)).as("the read that finds a gone").contains("NOT_CONNECTED");
            assertThat(first.leader()).as("the channel moved on").isEqualTo("b");
            assertThat(client.transport().knownDown(addressA)).isTrue();

            final ShardChannel fresh = links.open(shard);
            assertThat(fresh.leader()).as("a fresh channel passes over the node known to be down").isEqualTo("b");
            assertThat(read(links, fresh)).isEqualTo("answered");
            assertThat(fetchesB.get()).isEqualTo(1);

            a = new FakeNode(dir, "a2", addressA, fetchesA);
            await("a is seen again", () -> !client.transport().knownDown(addressA));
            final ShardChannel afterRestart = links.open(shard);
            assertThat(afterRestart.leader()).as("back to the preferred replica once it is up").isEqualTo("a");
            assertThat(read(links, afterRestart)).isEqualTo("answered");
            assertThat(fetchesA.get()).isEqualTo(2);
        }
        finally
        {
            CloseHelper.closeAll(a, b);
        }
    }

    private static String read(final NodeLinks links, final ShardChannel channel) throws Exception
    {
        final var reply = channel.read(0, 1024, 0, null, 0);
        links.flush();
        try
        {
            final ReadOutcome outcome = reply.get(30, TimeUnit.SECONDS);
            return outcome.isOk() ? "answered" : "status " + outcome.status();
        }
        catch (final ExecutionException e)
        {
            return String.valueOf(e.getCause().getMessage());
        }
    }

    private static void await(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after 30 s waiting for: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** A front end that answers every fetch item with an empty OK, and counts the fetches. */
    private static final class FakeNode implements AutoCloseable
    {
        private final EmbeddedMediaDriver driver;
        private final MessageEndpoint endpoint;

        FakeNode(final Path dir, final String name, final String address, final AtomicInteger fetches)
            throws IOException
        {
            driver = EmbeddedMediaDriver.launch(new AeronTransportConfig().nodeName(name).aeronDirectoryBase(dir));
            final UnsafeBuffer response = new UnsafeBuffer(new byte[FetchResponseDescriptor.HEADER_LENGTH
                + FetchResponseDescriptor.ITEM_HEADER_LENGTH]);
            endpoint = new MessageEndpoint(name, driver, address, FrontEndProtocol.AERON_STREAM_ID,
                (from, type, correlationId, buffer,
                offset, length) ->
            {
                if (type != MessageType.FETCH_REQUEST)
                {
                    return;
                }
                fetches.incrementAndGet();
                FetchResponseDescriptor.writeHeader(response, 0, 1);
                FetchResponseDescriptor.writeItemHeader(response, FetchResponseDescriptor.HEADER_LENGTH,
                    FetchResponseDescriptor.STATUS_OK, (byte)0, 0, 0, 0, 0, 0, 0);
                from.respond(MessageType.FETCH_RESPONSE, correlationId, response, 0, response.capacity());
            });
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(endpoint, driver);
        }
    }
}
