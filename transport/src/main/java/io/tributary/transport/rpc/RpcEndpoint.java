package io.tributary.transport.rpc;

import io.tributary.protocol.aeron.ReplyAddresses;
import io.tributary.protocol.aeron.ReplyPublications;
import io.tributary.protocol.aeron.Uninterruptibly;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.apache.ratis.proto.RaftProtos.RaftRpcReplyProto;
import org.apache.ratis.proto.netty.NettyProtos.RaftNettyExceptionReplyProto;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.InvalidProtocolBufferException;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.aeron.Subscription;
import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;
import io.tributary.protocol.aeron.IdleStrategies;
import io.tributary.protocol.aeron.NetworkLoop;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.transport.codec.ProtoCodec;
import io.tributary.transport.codec.RatisMessageCodecs;
import io.tributary.protocol.frame.FrameError;
import io.tributary.protocol.frame.FrameErrors;
import io.tributary.protocol.frame.FrameReceiver;
import io.tributary.protocol.frame.FramedPublication;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.PayloadEncoder;
import io.tributary.protocol.frame.Reassembler;
import io.tributary.transport.codec.RemoteExceptions;
import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.protocol.tls.TlsChannels;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.tls.TlsSession;

/**
 * One node's Aeron endpoint for request/reply: a UDP subscription on its own address, a thread
 * that polls it, a publication per remote address, and the table of calls waiting for replies.
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
    static final int REPLY_TO_LENGTH_MAX = 255;
    static final int ROUTES_MAX = 4096;
    /** Publications opened only to answer requesters, at most (ReplyPublications). */
    static final int REPLY_PUBLICATIONS_MAX = ReplyPublications.MAX;
    private static final Logger LOG = LoggerFactory.getLogger(RpcEndpoint.class);
    private static final Set<MessageType> REQUESTS = EnumSet.noneOf(MessageType.class);
    private static final long SWEEP_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

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

    /** Where the replies to one requester go. */
    static final class ReplyRoute
    {
        final byte[] address;
        final FramedPublication publication;
        /** The TLS session the request came by (and the reply goes back by); null without TLS. */
        final TlsSession session;

        ReplyRoute(final byte[] address, final FramedPublication publication, final TlsSession session)
        {
            this.address = address;
            this.publication = publication;
            this.session = session;
        }

        /** The requester's principal from its certificate; null without TLS. */
        PeerIdentity principal()
        {
            return session == null ? null : session.peer();
        }

        String address()
        {
            return new String(address, StandardCharsets.US_ASCII);
        }
    }

    private static final class Pending
    {
        final CompletableFuture<MessageLite> future = new CompletableFuture<>();
        final MessageType requestType;
        final String address;
        final long deadlineNs;
        /** The TLS session the request went by (null without TLS): its failure fails the call at once. */
        volatile TlsSession session;

        Pending(final MessageType requestType, final String address, final long deadlineNs)
        {
            this.requestType = requestType;
            this.address = address;
            this.deadlineNs = deadlineNs;
        }
    }

    private final String name;
    private final AeronTransportConfig config;
    private final EmbeddedMediaDriver runtime;
    private final Subscription subscription;
    private final String localAddress;
    private final byte[] localAddressBytes;
    private final FrameErrors errors;
    private final FrameReceiver receiver;
    private final RequestHandler handler;
    private final Map<String, FramedPublication> publications = new ConcurrentHashMap<>();
    private final ReplyPublications replyPublications =
        new ReplyPublications(publications);
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Long2ObjectHashMap<ReplyRoute> routes = new Long2ObjectHashMap<>();
    /** With TLS: the route of each accepted session, by session id. The polling thread only. */
    private final Long2ObjectHashMap<ReplyRoute> secureRoutes = new Long2ObjectHashMap<>();
    private final TlsChannels tls;
    private final PayloadEncoder<?>[] requestEncoders = new PayloadEncoder<?>[256];
    private final AtomicLong correlationIds = new AtomicLong();
    private final NetworkLoop.Pollable pollable = this::poll;
    private volatile boolean running = true;
    private long nextSweepNs;

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
        this.runtime = runtime;
        this.handler = handler;
        this.errors = new FrameErrors(name);
        this.receiver = new FrameReceiver(config.messageBytesMax(), new Reassembler(config.messageBytesMax(),
            config.reassemblyBytesMax(), config.reassemblySourcesMax(),
                TimeUnit.MILLISECONDS.toNanos(config.reassemblyTimeoutMs()),
            errors), errors, SystemNanoClock.INSTANCE, this::onMessage);
        this.subscription = Uninterruptibly.call(() -> runtime.aeron()
            .addSubscription(AeronTransportConfig.udpChannel(bindAddress), STREAM_ID,
            image -> { }, receiver::onImageUnavailable));
        this.localAddress = resolve(subscription, bindAddress, config.connectTimeoutMs());
        this.localAddressBytes = localAddress.getBytes(StandardCharsets.US_ASCII);
        if (localAddressBytes.length > REPLY_TO_LENGTH_MAX)
        {
            throw new IllegalArgumentException(name + ": address " + localAddress + " longer than "
                + REPLY_TO_LENGTH_MAX + " bytes");
        }
        for (final MessageType type : REQUESTS)
        {
            requestEncoders[type.id() & 0xFF] =
                new EnvelopeEncoder<>(localAddressBytes, RatisMessageCodecs.codec(type));
        }
        this.tls = tlsContext == null ? null : new TlsChannels(name, tlsContext, localAddress,
            new TlsChannels.Publications()
            {
                @Override
                public FramedPublication publication(final String address)
                {
                    return RpcEndpoint.this.publication(address);
                }

                @Override
                public void admitReplyAddress(final String address)
                {
                    admitReplyOnly(address);
                }
            },
            new TlsChannels.Receiver()
            {
                @Override
                public void onMessage(final TlsSession session, final MessageType type, final long correlationId,
                    final long groupIdMsb, final long groupIdLsb, final DirectBuffer buffer, final int offset,
                    final int length)
                {
                    onSecureMessage(session, type, correlationId, groupIdMsb, groupIdLsb, buffer, offset, length);
                }

                @Override
                public void onSessionFailed(final TlsSession session, final String reason,
                    final LongArrayList droppedCorrelationIds)
                {
                    RpcEndpoint.this.onSessionFailed(session, reason, droppedCorrelationIds);
                }
            }, errors);
        // Polled by the process's network thread, which also runs the driver: one wake-up per message.
        runtime.network().register(pollable);
    }


    private static String resolve(final Subscription subscription, final String bindAddress, final long timeoutMs)
    {
        if (!bindAddress.endsWith(":0"))
        {
            return bindAddress;
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final IdleStrategy idle = IdleStrategies.create(IdleStrategies.BACKOFF);
        while (true)
        {
            final String resolved = subscription.tryResolveChannelEndpointPort();
            if (resolved != null)
            {
                return resolved.substring(resolved.indexOf("endpoint=") + "endpoint=".length()).split("[|&]")[0];
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("Aeron transport: the media driver did not bind " + bindAddress
                    + " within " + timeoutMs + " ms (transport.aeron.connect.timeout.ms); is the driver alive?");
            }
            idle.idle();
        }
    }

    String localAddress()
    {
        return localAddress;
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
        final long correlationId = correlationIds.incrementAndGet();
        final Pending call = new Pending(type, address, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        pending.put(correlationId, call);
        @SuppressWarnings("unchecked")
        final PayloadEncoder<M> encoder = (PayloadEncoder<M>)requestEncoders[type.id() & 0xFF];
        // An address this endpoint calls is not evicted as a reply-only one (the call and the eviction race only
        // for an address that is both a requester's and a callee's, which a node's peers are not).
        replyPublications.called(address);
        final FramedPublication publication = publication(address);
        final SendStatus status;
        if (tls == null)
        {
            status = publication.send(type, correlationId, groupIdMsb, groupIdLsb, request, encoder);
        }
        else if (publication.peerGone())
        {
            // No session (and no handshake's key exchange) for a peer known to be down: fail as a clear send would.
            status = SendStatus.NOT_CONNECTED;
        }
        else
        {
            final TlsSession session = tls.sessionTo(address);
            call.session = session;
            status = session.send(type, correlationId, groupIdMsb, groupIdLsb, request, encoder);
        }
        if (status != SendStatus.OK)
        {
            pending.remove(correlationId);
            final TlsSession session = call.session;
            call.future.completeExceptionally(new IOException(name + ": " + type + " to " + address + " not sent: "
                + status + status.hint(config.offerTimeoutMs())
                + (session != null && session.failure() != null ? ": " + session.failure() : "")));
        }
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
        final SendStatus status = route.session != null
            ? route.session.send(type, correlationId, groupIdMsb, groupIdLsb, reply, codec)
            : route.publication.send(type, correlationId, groupIdMsb, groupIdLsb, reply, codec);
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

    private FramedPublication publication(final String address)
    {
        return publications.computeIfAbsent(address, a ->
        {
            final FramedPublication created = new FramedPublication(Uninterruptibly.call(
                () -> runtime.aeron().addExclusivePublication(config.publicationChannel(a), STREAM_ID)), true, config,
                SystemNanoClock.INSTANCE, runtime.network());
            created.onDroppedBeforeHandshake(correlationId -> failUnsent(correlationId));
            return created;
        });
    }

    /** A call whose request never left (its peer never joined the publication): fails now, not at its timeout. */
    private void failUnsent(final long correlationId)
    {
        final Pending call = pending.remove(correlationId);
        if (call != null)
        {
            call.future.completeExceptionally(new IOException(name + ": " + call.requestType + " to " + call.address
                + " not sent: NOT_CONNECTED (no receiver joined within " + config.offerTimeoutMs()
                    + " ms: peer down?)"));
        }
    }

    private int poll(final long nowNs)
    {
        if (!running)
        {
            return 0;
        }
        int work = subscription.poll(receiver.fragmentHandler(), 64);
        if (nowNs - nextSweepNs >= 0)
        {
            nextSweepNs = nowNs + SWEEP_INTERVAL_NS;
            receiver.expire();
            if (tls != null)
            {
                tls.expire(nowNs);
            }
            work += sweepTimeouts(nowNs);
        }
        return work;
    }

    private int sweepTimeouts(final long nowNs)
    {
        int expired = 0;
        for (final Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); )
        {
            final Map.Entry<Long, Pending> entry = it.next();
            final Pending call = entry.getValue();
            if (nowNs - call.deadlineNs >= 0)
            {
                it.remove();
                expired++;
                call.future.completeExceptionally(new TimeoutIOException(name + ": no reply to " + call.requestType
                    + " (correlation " + entry.getKey() + ") from " + call.address
                    + " in time; raise the request timeout "
                    + "(transport.aeron.request.timeout.ms or the Ratis request timeout) or check that the peer runs"));
            }
        }
        return expired;
    }

    private void onMessage(
        final long sourceId, final MessageType type, final long correlationId, final long groupIdMsb,
            final long groupIdLsb,
        final DirectBuffer buffer, final int offset, final int length)
    {
        if (type == MessageType.TLS_RECORDS)
        {
            if (tls == null)
            {
                errors.record(FrameError.PAYLOAD_INVALID, sourceId, "TLS records sent to a node without TLS: turn "
                    + "security.tls.enabled on here, or off at the sender");
                return;
            }
            tls.onRecords(sourceId, correlationId, groupIdMsb, buffer, offset, length);
            return;
        }
        if (tls != null)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, "a clear " + type + " sent to a node that takes TLS "
                + "only: the sender needs security.tls.enabled=true and a node certificate of the cluster's CA");
            return;
        }
        if (!REQUESTS.contains(type))
        {
            onReply(sourceId, type, correlationId, buffer, offset, length);
            return;
        }
        if (length < 2)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, type + " of " + length + " bytes has no reply-to");
            return;
        }
        final int replyToLength = buffer.getShort(offset, LITTLE_ENDIAN) & 0xFFFF;
        if (replyToLength == 0 || replyToLength > REPLY_TO_LENGTH_MAX || replyToLength > length - 2)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, type + ": reply-to length " + replyToLength + " in "
                + length + " bytes");
            return;
        }
        final ReplyRoute route = route(sourceId, buffer, offset + 2, replyToLength);
        if (route == null)
        {
            final byte[] bytes = new byte[replyToLength];
            buffer.getBytes(offset + 2, bytes);
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, type + " correlation " + correlationId + ": "
                + ReplyAddresses.invalid(new String(bytes, StandardCharsets.US_ASCII))
                + "; dropped unanswered");
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
            if (!session.isDialler())
            {
                errors.record(FrameError.PAYLOAD_INVALID, session.id(), type + " from " + session.peer()
                    + " in a session it dialled: only requests go that way");
                return;
            }
            onReply(session.id(), type, correlationId, buffer, offset, length);
            return;
        }
        if (session.isDialler())
        {
            errors.record(FrameError.PAYLOAD_INVALID, session.id(), type + " from " + session.peer()
                + " in a session this side dialled: only replies come that way");
            return;
        }
        final int replyToLength = length < 2 ? -1 : buffer.getShort(offset, LITTLE_ENDIAN) & 0xFFFF;
        if (replyToLength < 0 || replyToLength > length - 2)
        {
            errors.record(FrameError.PAYLOAD_INVALID, session.id(), type + " from " + session.peer()
                + ": reply-to length " + replyToLength + " in " + length + " bytes");
            return;
        }
        ReplyRoute route = secureRoutes.get(session.id());
        if (route == null || route.session != session)
        {
            if (secureRoutes.size() >= ROUTES_MAX)
            {
                secureRoutes.clear();
            }
            // Replies go back by the session, to the address it was accepted from.
            route = new ReplyRoute(session.peerAddress().getBytes(StandardCharsets.US_ASCII),
                publication(session.peerAddress()), session);
            secureRoutes.put(session.id(), route);
        }
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

    /** A TLS session failed: the calls it carried will not be answered by it. */
    private void onSessionFailed(final TlsSession session, final String reason, final LongArrayList dropped)
    {
        if (!session.isDialler())
        {
            return;
        }
        for (int i = 0; i < dropped.size(); i++)
        {
            final Pending call = pending.remove(dropped.getLong(i));
            if (call != null)
            {
                call.future.completeExceptionally(new IOException(name + ": " + call.requestType + " to "
                    + call.address + " not sent: " + reason));
            }
        }
        for (final Map.Entry<Long, Pending> entry : pending.entrySet())
        {
            if (entry.getValue().session == session && pending.remove(entry.getKey(), entry.getValue()))
            {
                entry.getValue().future.completeExceptionally(new IOException(name + ": no reply to "
                    + entry.getValue().requestType + " from " + entry.getValue().address + ": " + reason));
            }
        }
    }

    private ReplyRoute route(final long sourceId, final DirectBuffer buffer, final int offset, final int length)
    {
        final ReplyRoute cached = routes.get(sourceId);
        if (cached != null && sameBytes(cached.address, buffer, offset, length))
        {
            return cached;
        }
        if (routes.size() >= ROUTES_MAX)
        {
            // Routes of sessions that are gone are never looked up again: start over rather than grow.
            routes.clear();
        }
        final byte[] address = new byte[length];
        buffer.getBytes(offset, address);
        final String text = new String(address, StandardCharsets.US_ASCII);
        if (ReplyAddresses.invalid(text) != null)
        {
            return null;
        }
        admitReplyOnly(text);
        final ReplyRoute route = new ReplyRoute(address, publication(text), null);
        routes.put(sourceId, route);
        return route;
    }

    /** Counts a requester's address among the reply-only publications; closes the one that makes room. */
    private void admitReplyOnly(final String address)
    {
        final FramedPublication evicted = replyPublications.admit(address);
        if (evicted != null)
        {
            routes.values().removeIf(cachedRoute -> cachedRoute.publication == evicted);
            secureRoutes.values().removeIf(cachedRoute -> cachedRoute.publication == evicted);
            CloseHelper.close(evicted);
        }
    }

    /** Publications open now (tests). */
    int publicationCount()
    {
        return publications.size();
    }

    private static boolean sameBytes(final byte[] expected, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (expected.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (expected[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    private void onReply(
        final long sourceId, final MessageType type, final long correlationId, final DirectBuffer buffer,
            final int offset, final int length)
    {
        final Pending call = pending.remove(correlationId);
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
            call.future.completeExceptionally(new IOException(name + ": invalid " + type + " from " + call.address,
                ex));
        }
    }

    private static Throwable toException(final RaftNettyExceptionReplyProto reply, final Pending call)
    {
        // Data, never Java deserialization: a peer's bytes do not choose what this process instantiates.
        return RemoteExceptions.decode(reply.getException(),
            "to " + call.requestType + " from " + call.address);
    }

    /** Waits until the network thread has finished any poll of this endpoint that began before the deregistration. */
    private void awaitNetworkTurn()
    {
        final NetworkLoop network = runtime.network();
        if (network.isLoopThread())
        {
            return;
        }
        final long seen = network.turns();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (network.turns() < seen + 2 && System.nanoTime() - deadlineNs < 0)
        {
            network.wake();
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
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
        running = false;
        runtime.network().deregister(pollable);
        awaitNetworkTurn();
        for (final Pending call : pending.values())
        {
            call.future.completeExceptionally(new IOException(name + ": closed before a reply to " + call.requestType));
        }
        pending.clear();
        if (tls != null)
        {
            tls.close();
        }
        CloseHelper.closeAll(publications.values());
        CloseHelper.close(subscription);
    }

    /** Reply-to address in front of the request's protobuf; one per request type per endpoint. */
    static final class EnvelopeEncoder<M extends MessageLite> implements PayloadEncoder<M>
    {
        private final byte[] replyTo;
        private final ProtoCodec<M> codec;

        @SuppressWarnings("unchecked")
        EnvelopeEncoder(final byte[] replyTo, final ProtoCodec<?> codec)
        {
            this.replyTo = replyTo;
            this.codec = (ProtoCodec<M>)codec;
        }

        @Override
        public int encodedLength(final M message)
        {
            return 2 + replyTo.length + codec.encodedLength(message);
        }

        @Override
        public void encode(final M message, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            buffer.putShort(offset, (short)replyTo.length, LITTLE_ENDIAN);
            buffer.putBytes(offset + 2, replyTo);
            codec.encode(message, buffer, offset + 2 + replyTo.length, length - 2 - replyTo.length);
        }
    }
}
