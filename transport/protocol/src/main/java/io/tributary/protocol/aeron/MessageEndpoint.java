package io.tributary.protocol.aeron;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.aeron.Subscription;
import io.tributary.protocol.frame.FrameError;
import io.tributary.protocol.frame.FrameErrors;
import io.tributary.protocol.frame.FrameReceiver;
import io.tributary.protocol.frame.FramedPublication;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.PayloadEncoder;
import io.tributary.protocol.frame.Reassembler;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.protocol.net.ClientTransport;
import io.tributary.protocol.net.RequestHandler;
import io.tributary.protocol.net.Responder;
import io.tributary.protocol.net.ResponseHandler;
import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.protocol.tls.TlsChannels;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.tls.TlsSession;

/**
 * Request and response of raw messages over Aeron, for Tributary's own protocol between clients
 * and a node's front end: a UDP subscription on this side's address, polled by the process's
 * {@link NetworkLoop}; a publication per remote address; the calls waiting for responses.
 * <p>
 * A request carries the address its response goes to, in front of the message (Aeron
 * publications are one-way, and a restarted peer sees a new image without any handshake):
 * <pre>
 *  +-------------------------------+-------------------------+-------------+
 *  | Reply-To Length (u16, LE)     | Reply-To (ASCII h:port) | message ... |
 *  +-------------------------------+-------------------------+-------------+
 * </pre>
 * The receiver caches the route per Aeron session and compares bytes, so a steady stream
 * allocates nothing for it. A response is the bare message with the request's correlation id.
 * <p>
 * With TLS on ({@link TlsContext}), every message travels sealed in a TLS 1.3 session per peer pair
 * ({@link TlsChannels}); the envelope above is inside it, and clear messages are refused. The responder a
 * request handler gets names the requester's principal.
 * <p>
 * Handlers run on the network thread and must not block; the buffer they get is valid only for
 * the call. A call ends exactly once: a response, a send failure, the timeout, or close.
 * Thread-safe.
 */
public final class MessageEndpoint implements ClientTransport
{
    public static final int REPLY_TO_LENGTH_MAX = 255;
    static final int ROUTES_MAX = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(MessageEndpoint.class);
    private static final long SWEEP_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    /** Where the responses to one requester go. */
    public static final class Route implements Responder
    {
        final byte[] address;
        final FramedPublication publication;
        /** The TLS session the requests came in (and responses go back) by; null without TLS. */
        final TlsSession session;

        Route(final byte[] address, final FramedPublication publication, final TlsSession session)
        {
            this.address = address;
            this.publication = publication;
            this.session = session;
        }

        @Override
        public PeerIdentity principal()
        {
            return session == null ? null : session.peer();
        }

        public String address()
        {
            return new String(address, StandardCharsets.US_ASCII);
        }

        @Override
        public String peer()
        {
            return address();
        }

        /** Sends a response; returns why not when it could not (the requester then times out). Any thread. */
        @Override
        public SendStatus respond(final MessageType type, final long correlationId, final DirectBuffer buffer,
            final int offset,
            final int length)
        {
            return session != null ? session.send(type, correlationId, 0, 0, buffer, offset, length)
                : publication.send(type, correlationId, 0, 0, buffer, offset, length);
        }

        /** Sends a response encoded in place (or through the publication's scratch for large ones). Any thread. */
        public <M> SendStatus respond(final MessageType type, final long correlationId, final M message,
            final PayloadEncoder<M> encoder)
        {
            return session != null ? session.send(type, correlationId, 0, 0, message, encoder)
                : publication.send(type, correlationId, 0, 0, message, encoder);
        }
    }

    private static final class Pending
    {
        final ResponseHandler handler;
        final MessageType requestType;
        final String address;
        final long deadlineNs;
        /**
         * The publication counted its receiver as connected when the request left. Only such a call fails early
         * when the receiver goes silent: one sent before a restarted receiver joined is delivered at the handshake.
         */
        volatile FramedPublication sentToConnected;
        /** The TLS session the request went by (null without TLS): its failure fails the call at once. */
        volatile TlsSession session;

        Pending(final ResponseHandler handler, final MessageType requestType, final String address,
            final long deadlineNs)
        {
            this.handler = handler;
            this.requestType = requestType;
            this.address = address;
            this.deadlineNs = deadlineNs;
        }
    }

    private final String name;
    private final AeronTransportConfig config;
    private final EmbeddedMediaDriver runtime;
    private final int streamId;
    private final Subscription subscription;
    private final String localAddress;
    private final byte[] localAddressBytes;
    private final FrameErrors errors;
    private final FrameReceiver receiver;
    private final RequestHandler handler;
    private final Map<String, FramedPublication> publications = new ConcurrentHashMap<>();
    private final ReplyPublications replyPublications = new ReplyPublications(publications);
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Long2ObjectHashMap<Route> routes = new Long2ObjectHashMap<>();
    /** With TLS: the route of each accepted session, by session id. The network thread only. */
    private final Long2ObjectHashMap<Route> secureRoutes = new Long2ObjectHashMap<>();
    private final TlsChannels tls;
    private final AtomicLong correlationIds = new AtomicLong();
    private final NetworkLoop.Pollable pollable = this::poll;
    private volatile boolean running = true;
    private long nextSweepNs;

    /**
     * @param bindAddress host:port to receive on ({@code host:0}: any free port).
     * @param handler     serves requests; null for an endpoint that only calls.
     */
    public MessageEndpoint(final String name, final EmbeddedMediaDriver runtime, final String bindAddress,
        final int streamId,
        final RequestHandler handler)
    {
        this(name, runtime, bindAddress, streamId, handler, null);
    }

    /**
     * @param bindAddress host:port to receive on ({@code host:0}: any free port).
     * @param handler     serves requests; null for an endpoint that only calls.
     * @param tlsContext  TLS for every message, or null for none.
     */
    public MessageEndpoint(final String name, final EmbeddedMediaDriver runtime, final String bindAddress,
        final int streamId,
        final RequestHandler handler, final TlsContext tlsContext)
    {
        this.name = name;
        this.config = runtime.config();
        this.runtime = runtime;
        this.streamId = streamId;
        this.handler = handler;
        this.errors = new FrameErrors(name);
        this.receiver = new FrameReceiver(config.messageBytesMax(), new Reassembler(config.messageBytesMax(),
            config.reassemblyBytesMax(), config.reassemblySourcesMax(),
                TimeUnit.MILLISECONDS.toNanos(config.reassemblyTimeoutMs()),
            errors), errors, SystemNanoClock.INSTANCE, this::onMessage);
        this.subscription = Uninterruptibly.call(() -> runtime.aeron()
            .addSubscription(AeronTransportConfig.udpChannel(bindAddress), streamId,
            image -> { }, receiver::onImageUnavailable));
        this.localAddress = resolve(subscription, bindAddress, config.connectTimeoutMs());
        this.localAddressBytes = localAddress.getBytes(StandardCharsets.US_ASCII);
        if (localAddressBytes.length > REPLY_TO_LENGTH_MAX)
        {
            throw new IllegalArgumentException(name + ": address " + localAddress + " longer than "
                + REPLY_TO_LENGTH_MAX + " bytes");
        }
        this.tls = tlsContext == null ? null : new TlsChannels(name, tlsContext, localAddress,
            new TlsChannels.Publications()
            {
                @Override
                public FramedPublication publication(final String address)
                {
                    return MessageEndpoint.this.publication(address);
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
                    onSecureMessage(session, type, correlationId, buffer, offset, length);
                }

                @Override
                public void onSessionFailed(final TlsSession session, final String reason,
                    final LongArrayList droppedCorrelationIds)
                {
                    MessageEndpoint.this.onSessionFailed(session, reason, droppedCorrelationIds);
                }
            }, errors);
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
                throw new IllegalStateException("Aeron: the media driver did not bind " + bindAddress + " within "
                    + timeoutMs + " ms (transport.aeron.connect.timeout.ms); is the driver alive?");
            }
            idle.idle();
        }
    }

    /** The address requests reach this endpoint on (and responses come back to). */
    public String localAddress()
    {
        return localAddress;
    }

    public FrameErrors errors()
    {
        return errors;
    }

    /**
     * Whether this endpoint's publication to {@code address} counts as connected: its receiver sent a status
     * message within publication.connection.timeout.ms. False when nothing was ever sent there.
     */
    public boolean isConnectedTo(final String address)
    {
        final FramedPublication publication = publications.get(address);
        return publication != null && publication.isConnected();
    }

    @Override
    public boolean knownDown(final String address)
    {
        final FramedPublication publication = publications.get(address);
        return publication != null && publication.peerGone();
    }

    /** Calls in flight (for tests and statistics). */
    public int pendingCalls()
    {
        return pending.size();
    }

    @Override
    public int messageBytesMax()
    {
        return config.messageBytesMax();
    }

    /**
     * Sends a request of {@code length} bytes of {@code body} to {@code address}; the handler hears the
     * outcome exactly once. Any thread.
     */
    @Override
    public void call(final String address, final MessageType type, final DirectBuffer body, final int offset,
        final int length,
        final long timeoutMs, final ResponseHandler responseHandler)
    {
        if (!running)
        {
            responseHandler.onFailure(new IOException(name + ": closed; " + type + " to " + address + " not sent"));
            return;
        }
        final long correlationId = correlationIds.incrementAndGet();
        final Pending call = new Pending(responseHandler, type, address,
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        pending.put(correlationId, call);
        final FramedPublication publication;
        try
        {
            replyPublications.called(address);
            publication = publication(address);
        }
        catch (final RuntimeException ex)
        {
            failPending(correlationId, new IOException(name + ": cannot open a publication to " + address + ": " + ex,
                ex));
            return;
        }
        final boolean connected = publication.isConnected();
        final SendStatus status;
        if (tls == null)
        {
            status = publication.send(type, correlationId, 0, 0, new Envelope(localAddressBytes, body, offset, length),
                ENVELOPE);
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
            status = session.send(type, correlationId, 0, 0, new Envelope(localAddressBytes, body, offset, length),
                ENVELOPE);
        }
        if (status == SendStatus.OK && connected)
        {
            // Harmless if the call has already ended (its response came first): the sweep only sees pending calls.
            call.sentToConnected = publication;
        }
        if (status != SendStatus.OK)
        {
            final TlsSession session = call.session;
            failPending(correlationId, new IOException(name + ": " + type + " to " + address + " not sent: " + status
                + status.hint(config.offerTimeoutMs())
                + (session != null && session.failure() != null ? ": " + session.failure() : "")));
        }
    }

    private void failPending(final long correlationId, final IOException error)
    {
        final Pending call = pending.remove(correlationId);
        if (call != null)
        {
            call.handler.onFailure(error);
        }
    }

    private FramedPublication publication(final String address)
    {
        final FramedPublication known = publications.get(address);
        if (known != null)
        {
            return known;
        }
        return publications.computeIfAbsent(address, a ->
        {
            final FramedPublication created = new FramedPublication(Uninterruptibly.call(
                () -> runtime.aeron().addExclusivePublication(config.publicationChannel(a), streamId)), true, config,
                SystemNanoClock.INSTANCE, runtime.network());
            // A call whose request never left fails now, not at its timeout.
            created.onDroppedBeforeHandshake(correlationId ->
                failPending(correlationId, new IOException(name + ": request to "
                + a + " not sent: NOT_CONNECTED (no receiver joined within " + config.offerTimeoutMs()
                    + " ms: node down?)")));
            return created;
        });
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
        if (pending.isEmpty())
        {
            return 0;
        }
        int expired = 0;
        for (final Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); )
        {
            final Map.Entry<Long, Pending> entry = it.next();
            final Pending call = entry.getValue();
            if (nowNs - call.deadlineNs >= 0 && pending.remove(entry.getKey(), call))
            {
                expired++;
                call.handler.onFailure(new IOException(name + ": no response to " + call.requestType + " (correlation "
                    + entry.getKey() + ") from " + call.address
                        + " in time; is the node running and reachable? (raise the"
                    + " client's request timeout if it is only slow)"));
            }
            else if (call.sentToConnected != null && !call.sentToConnected.isConnected()
                && pending.remove(entry.getKey(), call))
            {
                // A node killed -9 says nothing (no TCP reset over UDP): the driver's connection timeout is the first
                // sign, and a request to it will not be answered. Failing it now lets the caller try another replica at
                // once instead of waiting out the whole request timeout.
                expired++;
                call.handler.onFailure(new IOException(name + ": no response to " + call.requestType + " (correlation "
                    + entry.getKey() + ") from " + call.address + ": the node went silent after the request was "
                    + "sent (down, restarting or paused?)"));
            }
        }
        return expired;
    }

    private void onMessage(final long sourceId, final MessageType type, final long correlationId, final long groupIdMsb,
        final long groupIdLsb, final DirectBuffer buffer, final int offset, final int length)
    {
        if (type == MessageType.TLS_RECORDS)
        {
            if (tls == null)
            {
                errors.record(FrameError.PAYLOAD_INVALID, sourceId, "TLS records sent to an endpoint without TLS: "
                    + "turn security.tls.enabled on here, or off at the sender");
                return;
            }
            tls.onRecords(sourceId, correlationId, groupIdMsb, buffer, offset, length);
            return;
        }
        if (tls != null)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, "a clear " + type + " sent to an endpoint that "
                + "takes TLS only: the sender needs security.tls.enabled=true and a certificate of the cluster's CA");
            return;
        }
        if (!type.name().endsWith("_REQUEST"))
        {
            onResponse(sourceId, type, correlationId, buffer, offset, length);
            return;
        }
        if (handler == null)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, type + " sent to an endpoint that serves no requests");
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
        final Route route;
        try
        {
            route = route(sourceId, buffer, offset + 2, replyToLength);
        }
        catch (final RuntimeException ex)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, type + ": bad reply-to: " + ex.getMessage());
            return;
        }
        handler.onRequest(route, type, correlationId, buffer, offset + 2 + replyToLength, length - 2 - replyToLength);
    }

    /** A message that came sealed in a TLS session. The network thread. */
    private void onSecureMessage(final TlsSession session, final MessageType type, final long correlationId,
        final DirectBuffer buffer, final int offset, final int length)
    {
        if (!type.name().endsWith("_REQUEST"))
        {
            if (!session.isDialler())
            {
                errors.record(FrameError.PAYLOAD_INVALID, session.id(), type + " from " + session.peer()
                    + " in a session it dialled: only requests go that way");
                return;
            }
            onResponse(session.id(), type, correlationId, buffer, offset, length);
            return;
        }
        if (handler == null || session.isDialler())
        {
            errors.record(FrameError.PAYLOAD_INVALID, session.id(), type + " from " + session.peer()
                + (handler == null ? " sent to an endpoint that serves no requests"
                    : " in a session this side dialled"));
            return;
        }
        final int replyToLength = length < 2 ? -1 : buffer.getShort(offset, LITTLE_ENDIAN) & 0xFFFF;
        if (replyToLength < 0 || replyToLength > length - 2)
        {
            errors.record(FrameError.PAYLOAD_INVALID, session.id(), type + " from " + session.peer() + ": reply-to "
                + "length " + replyToLength + " in " + length + " bytes");
            return;
        }
        Route route = secureRoutes.get(session.id());
        if (route == null || route.session != session)
        {
            if (secureRoutes.size() >= ROUTES_MAX)
            {
                secureRoutes.clear();
            }
            // Responses go back by the session, to the address it was accepted from; the envelope's reply-to is
            // the same address and is not needed.
            route = new Route(session.peerAddress().getBytes(StandardCharsets.US_ASCII),
                publication(session.peerAddress()), session);
            secureRoutes.put(session.id(), route);
        }
        handler.onRequest(route, type, correlationId, buffer, offset + 2 + replyToLength, length - 2 - replyToLength);
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
            failPending(dropped.getLong(i), new IOException(name + ": request to " + session.peerAddress()
                + " not sent: " + reason));
        }
        for (final Map.Entry<Long, Pending> entry : pending.entrySet())
        {
            if (entry.getValue().session == session && pending.remove(entry.getKey(), entry.getValue()))
            {
                entry.getValue().handler.onFailure(new IOException(name + ": no response from "
                    + session.peerAddress() + ": " + reason));
            }
        }
    }

    private Route route(final long sourceId, final DirectBuffer buffer, final int offset, final int length)
    {
        final Route cached = routes.get(sourceId);
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
        final String invalid = ReplyAddresses.invalid(text);
        if (invalid != null)
        {
            throw new IllegalArgumentException(invalid);
        }
        admitReplyOnly(text);
        final Route route = new Route(address, publication(text), null);
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

    private void onResponse(final long sourceId, final MessageType type, final long correlationId,
        final DirectBuffer buffer,
        final int offset, final int length)
    {
        final Pending call = pending.remove(correlationId);
        if (call == null)
        {
            LOG.debug("{}: late or unknown response {} correlation {} from source {}", name, type, correlationId,
                sourceId);
            return;
        }
        try
        {
            call.handler.onResponse(type, buffer, offset, length);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("{}: the handler of a {} response from {} failed", name, type, call.address, ex);
        }
    }

    @Override
    public void close()
    {
        if (!running)
        {
            return;
        }
        running = false;
        runtime.network().deregister(pollable);
        awaitNetworkTurn();
        for (final Long correlationId : pending.keySet())
        {
            final Pending call = pending.remove(correlationId);
            if (call != null)
            {
                call.handler.onFailure(new IOException(name + ": closed before a response to " + call.requestType
                    + " from " + call.address));
            }
        }
        if (tls != null)
        {
            tls.close();
        }
        CloseHelper.closeAll(publications.values());
        CloseHelper.close(subscription);
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

    /** The reply-to address in front of a request's message. */
    private record Envelope(byte[] replyTo, DirectBuffer body, int offset, int length)
    {
    }

    private static final PayloadEncoder<Envelope> ENVELOPE = new PayloadEncoder<>()
    {
        @Override
        public int encodedLength(final Envelope message)
        {
            return 2 + message.replyTo.length + message.length;
        }

        @Override
        public void encode(final Envelope message, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            buffer.putShort(offset, (short)message.replyTo.length, LITTLE_ENDIAN);
            buffer.putBytes(offset + 2, message.replyTo);
            buffer.putBytes(offset + 2 + message.replyTo.length, message.body, message.offset, message.length);
        }
    };
}
