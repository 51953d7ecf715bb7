package io.tributary.transport.rpc;

import io.tributary.protocol.frame.FramedPublication;
import io.tributary.protocol.frame.Seeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.SystemNanoClock;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;
import io.tributary.protocol.aeron.ReplyToEnvelope;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.transport.RatisSamples;
import io.tributary.protocol.frame.MessageType;
import io.tributary.transport.codec.RatisMessageCodecs;

/** Request/reply between two endpoints: replies, exception replies, timeouts and unreachable peers. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RpcEndpointTest
{
    @TempDir
    Path dir;

    @Test
    void repliesExceptionsTimeoutsAndUnreachablePeers() throws Exception
    {
        final Random random = new Random(Seeds.seed("repliesExceptionsTimeoutsAndUnreachablePeers"));
        final AeronTransportConfig config = new AeronTransportConfig().nodeName("rpc-endpoint").aeronDirectoryBase(dir)
            .termLengthBytes(64 * 1024).offerTimeoutMs(300).validate();
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(config);
            RpcEndpoint server = new RpcEndpoint("server", config, driver, "127.0.0.1:0",
                (route, type, correlationId, msb, lsb, request) ->
            {
                // Never answers: the caller must time out.
            });
            RpcEndpoint client = new RpcEndpoint("client", config, driver, "127.0.0.1:0",
                (route, type, c, msb, lsb, m) -> { }))
        {
            assertThat(server.localAddress()).startsWith("127.0.0.1:").doesNotEndWith(":0");
            final RaftClientRequestProto ignored = RaftClientRequestProto.newBuilder(
                (RaftClientRequestProto)RatisSamples.sample(MessageType.CLIENT_REQUEST, random, 0))
                .setMessage(RaftProtos.ClientMessageEntryProto.newBuilder()
                    .setContent(ByteString.copyFromUtf8("ignore"))).build();
            final long startNs = System.nanoTime();
            final CompletableFuture<MessageLite> timedOut =
                client.call(server.localAddress(), MessageType.CLIENT_REQUEST, 1, 2, ignored, 500);
            assertThatThrownBy(timedOut::get).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(TimeoutIOException.class)
                .hasMessageContaining("no reply to CLIENT_REQUEST").hasMessageContaining(server.localAddress());
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)).isBetween(400L, 10_000L);

            final CompletableFuture<MessageLite> unreachable =
                client.call("127.0.0.1:9", MessageType.CLIENT_REQUEST, 1, 2, ignored, 5_000);
            assertThatThrownBy(unreachable::get).cause().hasMessageContaining("not sent: NOT_CONNECTED")
                .hasMessageContaining("127.0.0.1:9");
        }
    }

    @Test
    void serverRepliesAndExceptionRepliesReachTheCaller() throws Exception
    {
        final Random random = new Random(Seeds.seed("serverRepliesAndExceptionRepliesReachTheCaller"));
        final AeronTransportConfig config = new AeronTransportConfig().nodeName("rpc-endpoint-2")
            .aeronDirectoryBase(dir)
            .termLengthBytes(64 * 1024).offerTimeoutMs(300).validate();
        final RpcEndpoint[] serverRef = new RpcEndpoint[1];
        final RaftClientReplyProto reply =
            (RaftClientReplyProto)RatisSamples.sample(MessageType.CLIENT_REPLY, random, 50_000);
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(config);
            RpcEndpoint server = new RpcEndpoint("server", config, driver, "127.0.0.1:0",
                (route, type, correlationId, msb, lsb, request) ->
            {
                final String content = ((RaftClientRequestProto)request).getMessage().getContent().toStringUtf8();
                if (content.equals("fail"))
                {
                    serverRef[0].replyException(route, correlationId, msb, lsb,
                        AeronServerRpc.replyHeader(AeronServerRpc.header(type, request)),
                        new IOException("state machine refused: fail"));
                }
                else
                {
                    serverRef[0].reply(route, MessageType.CLIENT_REPLY, correlationId, msb, lsb, reply);
                }
            });
            RpcEndpoint client = new RpcEndpoint("client", config, driver, "127.0.0.1:0",
                (route, type, c, msb, lsb, m) -> { }))
        {
            serverRef[0] = server;
            final RaftClientRequestProto base =
                (RaftClientRequestProto)RatisSamples.sample(MessageType.CLIENT_REQUEST, random, 20_000);
            assertThat(client.call(server.localAddress(), MessageType.CLIENT_REQUEST, 1, 2, base, 10_000).get())
                .isEqualTo(reply);
            final RaftClientRequestProto failing = RaftClientRequestProto.newBuilder(base)
                .setMessage(RaftProtos.ClientMessageEntryProto.newBuilder()
                    .setContent(ByteString.copyFromUtf8("fail"))).build();
            assertThatThrownBy(() -> client.call(server.localAddress(), MessageType.CLIENT_REQUEST, 1, 2, failing,
                10_000).get())
                .cause().isInstanceOf(IOException.class).hasMessageEndingWith(": state machine refused: fail");
            assertThat(server.errors().total() + client.errors().total()).isZero();
        }
    }

    /**
     * Issue #14, point 6: a request's reply-to address becomes an Aeron channel, so one holding channel
     * parameters is dropped unanswered; and requests naming ever new reply-to addresses open at most
     * {@link RpcEndpoint#REPLY_PUBLICATIONS_MAX} publications.
     */
    @Test
    void aReplyToWithChannelParametersIsDroppedAndReplyPublicationsAreBounded() throws Exception
    {
        final Random random = new
            Random(Seeds.seed("aReplyToWithChannelParametersIsDroppedAndReplyPublicationsAreBounded"));
        final AeronTransportConfig config = new AeronTransportConfig().nodeName("rpc-reply-to").aeronDirectoryBase(dir)
            .termLengthBytes(64 * 1024).offerTimeoutMs(300).validate();
        final AtomicInteger handled = new AtomicInteger();
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(config);
            RpcEndpoint server = new RpcEndpoint("server", config, driver, "127.0.0.1:0",
                (route, type, correlationId, msb, lsb, request) -> handled.incrementAndGet());
            FramedPublication raw = new FramedPublication(
                driver.aeron().addExclusivePublication(config.publicationChannel(server.localAddress()),
                    RpcEndpoint.STREAM_ID), true,
                config, SystemNanoClock.INSTANCE))
        {
            LocalAwait.until("the raw publication connects", 10_000, raw::isConnected);
            final MessageLite request = RatisSamples.sample(MessageType.CLIENT_REQUEST, random, 0);
            final int before = server.publicationCount();
            send(raw, "127.0.0.1:1|term-length=1073741824", request, 1);
            send(raw, "127.0.0.1:1?interface=0.0.0.0", request, 2);
            send(raw, "127.0.0.1:70000", request, 3);
            LocalAwait.until("three invalid reply-to addresses recorded", 10_000,
                () -> server.errors().total() >= 3);
            assertThat(handled.get()).as("no invalid request reached the handler").isZero();
            assertThat(server.publicationCount()).as("no publication opened for them").isEqualTo(before);

            final int requests = RpcEndpoint.REPLY_PUBLICATIONS_MAX + 50;
            for (int i = 0; i < requests; i++)
            {
                send(raw, "127.0.0.1:" + (20_000 + i), request, 100 + i);
            }
            LocalAwait.until("every valid request handled", 30_000, () -> handled.get() == requests);
            assertThat(server.publicationCount()).as("reply publications bounded")
                .isLessThanOrEqualTo(before + RpcEndpoint.REPLY_PUBLICATIONS_MAX);
        }
    }

    private static void send(final FramedPublication raw, final String replyTo, final MessageLite request,
        final long correlationId)
    {
        final ReplyToEnvelope<MessageLite> envelope = new ReplyToEnvelope<>(
            replyTo.getBytes(StandardCharsets.US_ASCII),
            RatisMessageCodecs.codec(MessageType.CLIENT_REQUEST));
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (raw.send(MessageType.CLIENT_REQUEST, correlationId, 1, 2, request, envelope) != SendStatus.OK)
        {
            assertThat(System.nanoTime()).as("request %d sent", correlationId).isLessThan(deadlineNs);
            Thread.onSpinWait();
        }
    }

    /** Polls a condition with a deadline. */
    private static final class LocalAwait
    {
        static void until(final String what, final long timeoutMs, final BooleanSupplier condition)
            throws InterruptedException
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (!condition.getAsBoolean())
            {
                if (System.nanoTime() - deadlineNs >= 0)
                {
                    throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
                }
                LockSupport.parkNanos(10_000_000L);
                if (Thread.interrupted())
                {
                    throw new InterruptedException(what);
                }
            }
        }
    }
}
