package io.tributary.transport.rpc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.agrona.DirectBuffer;
import org.apache.ratis.proto.RaftProtos.RaftRpcReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyExceptionReplyProto;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.InvalidProtocolBufferException;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;
import io.tributary.protocol.aeron.EndpointCore;
import io.tributary.protocol.aeron.EndpointPublications;
import io.tributary.protocol.aeron.PendingCalls;
import io.tributary.protocol.aeron.ReplyPublications;
import io.tributary.protocol.aeron.ReplyToEnvelope;
import io.tributary.protocol.aeron.ReturnRoute;
import io.tributary.protocol.frame.FrameError;
import io.tributary.protocol.frame.FrameErrors;
import io.tributary.protocol.frame.FramedPublication;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.PayloadEncoder;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.protocol.tls.TlsChannels;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.tls.TlsSession;
import io.tributary.transport.codec.ProtoCodec;
import io.tributary.transport.codec.RatisMessageCodecs;
import io.tributary.transport.codec.RemoteExceptions;

/**
 * One node's Aeron endpoint for request/reply: a UDP subscription on its own address, polled by
 * the process's network thread, a publication per remote address, and the table of calls waiting
 * for replies (the plumbing is an {@link EndpointCore}; this class carries Raft group ids and
 * Ratis messages).
 * <p>
 * Requests carry the address replies go to, in front of the protobuf:
 * <pre>
 *  +-------------------------------+------------------------+---------------------+
 *  | Reply-To Length (u16, LE)     | Reply-To (ASCII h:port) | Ratis protobuf ... |
 *  +-------------------------------+------------------------+---------------------+
 * </pre>
 * (Aeron publications are one-way, and a restarted peer sees a new image without any earlier
 * handshake, so every request says where to answer; the receiver caches the route per Aeron
 * session and compares bytes, so a steady stream allocates no string.) Replies are the bare
 * protobuf with the request's correlation id.
 * <p>
 * Calls time out (sweep on the polling thread) with a {@link TimeoutIOException} naming the
 * peer, the message and the setting; a failed send completes the call at once with the
 * {@link SendStatus}.
 * <p>
 * With TLS on, every message travels sealed in a TLS 1.3 session per peer pair ({@link TlsChannels}), clear
 * messages are refused, and a request's route names the peer's principal (the server admits nodes only).
 * Thread-safe.
 */
final class RpcEndpoint implements AutoCloseable
{
    static final int STREAM_ID = AeronRpcType.STREAM_ID;
    /** Publications opened only to answer requesters, at most (ReplyPublications). */
    static final int REPLY_PUBLICATIONS_MAX = ReplyPublications.MAX;
    private static final Logger LOG = LoggerFactory.getLogger(RpcEndpoint.class);
    private static final Set<MessageType> REQUESTS = EnumSet.noneOf(MessageType.class);

    static
    {
        for (final MessageType type : MessageType.values())
        {
            // Ratis's requests only: Tributary's own (PRODUCE_REQUEST, ...) travel on the front end's stream.
            if (type.name().endsWith("_REQUEST") && type.isRatis())
            {
                REQUESTS.add(type);
            }
        }
    }

    /** Handles one inbound request on the polling thread; must not block (hand slow work to an executor). */
    @FunctionalInterface
    interface RequestHandler
    {
        void onRequest(ReplyRoute route, MessageType type, long correlationId, long groupIdMsb, long groupIdLsb,
            MessageLite request);
    }

    /** Where the replies to one requester go (the TLS session names the requester's principal). */
    static final class ReplyRoute extends ReturnRoute
    {
        ReplyRoute(final byte[] address, final FramedPublication publication, final TlsSession session)
        {
            super(address, publication, session);
        }
    }

    private static final class Pending extends PendingCalls.Call
    {
        final CompletableFuture<MessageLite> future = new CompletableFuture<>();

        Pending(final MessageType requestType, final String address, final long timeoutMs)
        {
            super(requestType, address, timeoutMs);
        }

        @Override
        protected void fail(final IOException error)
        {
            future.completeExceptionally(error);
        }
    }

    private final String name;
    private final AeronTransportConfig config;
    private final RequestHandler handler;
    private final EndpointCore<ReplyRoute, Pending> core;
    private final FrameErrors errors;
    private final PendingCalls<Pending> calls;
    private final EndpointPublications<ReplyRoute> publications;
    private final PayloadEncoder<?>[] requestEncoders = new PayloadEncoder<?>[256];

    RpcEndpoint(
        final String name,
        final AeronTransportConfig config,
        final EmbeddedMediaDriver runtime,
        final String bindAddress,
        final RequestHandler handler)
    {
        this(name, config, runtime, bindAddress, handler, null);
    }

    /** @param tlsContext TLS for every message, or null for none. */
    RpcEndpoint(
        final String name,
        final AeronTransportConfig config,
        final EmbeddedMediaDriver runtime,
        final String bindAddress,
        final RequestHandler handler,
        final TlsContext tlsContext)
    {
        this.name = name;
        this.config = config;
        this.handler = handler;
        this.core = new EndpointCore<>(name, runtime, config, bindAddress, STREAM_ID, tlsContext, new Texts(),
            ReplyRoute::new, this::onMessage, this::onSecureMessage);
        this.errors = core.errors();
        this.calls = core.calls();
        this.publications = core.publications();
        for (final MessageType type : REQUESTS)
        {
            requestEncoders[type.id() & 0xFF] = core.envelope(RatisMessageCodecs.codec(type));
        }
        core.start();
    }

    String localAddress()
    {
        return core.localAddress();
    }

    FrameErrors errors()
    {
        return errors;
    }

    /**
     * Sends a request and returns the future reply (completed exceptionally on a send failure,
     * an exception reply or the timeout).
     */
    <M extends MessageLite> CompletableFuture<MessageLite> call(
        final String address, final MessageType type, final long groupIdMsb, final long groupIdLsb, final M request,
            final long timeoutMs)
    {
        final Pending call = new Pending(type, address, timeoutMs);
        final long correlationId = calls.add(call);
        @SuppressWarnings("unchecked")
        final PayloadEncoder<M> encoder = (PayloadEncoder<M>)requestEncoders[type.id() & 0xFF];
        core.send(call, correlationId, publications.publicationToCall(address), type, groupIdMsb, groupIdLsb, request,
            encoder);
        return call.future;
    }

    /** Sends a reply; a failure is logged (the requester times out and Ratis retries). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void reply(
        final ReplyRoute route, final MessageType type, final long correlationId, final long groupIdMsb,
            final long groupIdLsb,
        final MessageLite reply)
    {
        final ProtoCodec codec = RatisMessageCodecs.codec(type);
        final SendStatus status = route.send(type, correlationId, groupIdMsb, groupIdLsb, reply, codec);
        if (status != SendStatus.OK)
        {
            LOG.warn("{}: {} for correlation {} to {} not sent: {}", name, type, correlationId, route.address(),
                status);
        }
    }

    void replyException(
        final ReplyRoute route, final long correlationId, final long groupIdMsb, final long groupIdLsb,
        final RaftRpcReplyProto header, final Throwable failure)
    {
        final RaftNettyExceptionReplyProto reply = RaftNettyExceptionReplyProto.newBuilder().setRpcReply(header)
            .setException(RemoteExceptions.encode(failure)).build();
        reply(route, MessageType.EXCEPTION_REPLY, correlationId, groupIdMsb, groupIdLsb, reply);
    }

    private void onMessage(
        final long sourceId, final MessageType type, final long correlationId, final long groupIdMsb,
            final long groupIdLsb,
        final DirectBuffer buffer, final int offset, final int length)
    {
        if (!REQUESTS.contains(type))
        {
            onReply(sourceId, type, correlationId, buffer, offset, length);
            return;
        }
        final int replyToLength = ReplyToEnvelope.replyToLength(errors, sourceId, type, buffer, offset, length);
        if (replyToLength < 0)
        {
            return;
        }
        final ReplyRoute route = publications.route(sourceId, buffer, offset + 2, replyToLength);
        if (route == null)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, type + " correlation " + correlationId + ": "
                + ReplyToEnvelope.invalidReplyTo(buffer, offset + 2, replyToLength) + "; dropped unanswered");
            return;
        }
        final MessageLite request;
        try
        {
            request = RatisMessageCodecs.codec(type)
                .decode(buffer, offset + 2 + replyToLength, length - 2 - replyToLength);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, type + " correlation " + correlationId + ": "
                + ex.getMessage());
            return;
        }
        handler.onRequest(route, type, correlationId, groupIdMsb, groupIdLsb, request);
    }

    /** A message that came sealed in a TLS session. The polling thread. */
    private void onSecureMessage(final TlsSession session, final MessageType type, final long correlationId,
        final long groupIdMsb, final long groupIdLsb, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!REQUESTS.contains(type))
        {
            if (core.takesResponse(session, type))
            {
                onReply(session.id(), type, correlationId, buffer, offset, length);
            }
            return;
        }
        if (session.isDialler())
        {
            errors.record(FrameError.PAYLOAD_INVALID, session.id(), type + " from " + session.peer()
                + " in a session this side dialled: only replies come that way");
            return;
        }
        final int replyToLength = ReplyToEnvelope.replyToLength(errors, session, type, buffer, offset, length);
        if (replyToLength < 0)
        {
            return;
        }
        final ReplyRoute route = publications.secureRoute(session);
        final MessageLite request;
        try
        {
            request = RatisMessageCodecs.codec(type)
                .decode(buffer, offset + 2 + replyToLength, length - 2 - replyToLength);
        }
        catch (final InvalidProtocolBufferException ex)
        {
            errors.record(FrameError.PAYLOAD_INVALID, session.id(), type + " correlation " + correlationId + " from "
                + session.peer() + ": " + ex.getMessage());
            return;
        }
        handler.onRequest(route, type, correlationId, groupIdMsb, groupIdLsb, request);
    }

    /** Publications open now (tests). */
    int publicationCount()
    {
        return publications.count();
    }

    private void onReply(
        final long sourceId, final MessageType type, final long correlationId, final DirectBuffer buffer,
            final int offset, final int length)
    {
        final Pending call = calls.remove(correlationId);
        if (call == null)
        {
            LOG.debug("{}: late or unknown reply {} correlation {} from source {}", name, type, correlationId,
                sourceId);
            return;
        }
        try
        {
            final MessageLite reply = RatisMessageCodecs.codec(type).decode(buffer, offset, length);
            if (type == MessageType.EXCEPTION_REPLY)
            {
                call.future.completeExceptionally(toException((RaftNettyExceptionReplyProto)reply, call));
            }
            else
            {
                call.future.complete(reply);
            }
        }
        catch (final InvalidProtocolBufferException | RuntimeException ex)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, type + " correlation " + correlationId + ": " + ex);
            call.future.completeExceptionally(new IOException(name + ": invalid " + type + " from " + call.address(),
                ex));
        }
    }

    private static Throwable toException(final RaftNettyExceptionReplyProto reply, final Pending call)
    {
        // Data, never Java deserialization: a peer's bytes do not choose what this process instantiates.
        return RemoteExceptions.decode(reply.getException(),
            "to " + call.requestType() + " from " + call.address());
    }

    static long[] uuid(final ByteString groupId)
    {
        if (groupId.size() != 16)
        {
            return new long[]{0, 0};
        }
        final ByteBuffer bytes = groupId.asReadOnlyByteBuffer();
        return new long[]{bytes.getLong(), bytes.getLong()};
    }

    @Override
    public void close()
    {
        core.close();
    }

    /** This endpoint's words: its peers are nodes, and they answer with replies. */
    private final class Texts extends EndpointCore.Texts<Pending>
    {
        Texts()
        {
            super("Aeron transport", "TLS records sent to a node without TLS: turn security.tls.enabled on here, or "
                + "off at the sender", " sent to a node that takes TLS only: the sender needs "
                + "security.tls.enabled=true and a node certificate of the cluster's CA");
        }

        @Override
        public IOException timedOut(final Pending call, final long correlationId)
        {
            return new TimeoutIOException(name + ": no reply to " + call.requestType() + " (correlation "
                + correlationId + ") from " + call.address() + " in time; raise the request timeout "
                + "(transport.aeron.request.timeout.ms or the Ratis request timeout) or check that the peer runs");
        }

        @Override
        public IOException notConnected(final Pending call, final String address)
        {
            return new IOException(name + ": " + call.requestType() + " to " + call.address()
                + " not sent: NOT_CONNECTED (no receiver joined within " + config.offerTimeoutMs()
                    + " ms: peer down?)");
        }

        @Override
        public IOException notSent(final Pending call, final TlsSession session, final String reason)
        {
            return new IOException(name + ": " + call.requestType() + " to " + call.address() + " not sent: "
                + reason);
        }

        @Override
        public IOException unanswered(final Pending call, final TlsSession session, final String reason)
        {
            return new IOException(name + ": no reply to " + call.requestType() + " from " + call.address() + ": "
                + reason);
        }

        @Override
        public IOException closed(final Pending call)
        {
            return new IOException(name + ": closed before a reply to " + call.requestType());
        }
    }
}
