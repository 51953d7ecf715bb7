package io.tributary.protocol.aeron;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.SystemNanoClock;

import io.tributary.protocol.frame.FramedPublication;
import io.tributary.protocol.tls.TlsChannels;
import io.tributary.protocol.tls.TlsSession;

/**
 * An endpoint's way out: a publication per remote address, made on first use, and the cached routes back to its
 * requesters, by Aeron session for clear requests and by TLS session for sealed ones. A route is found by comparing
 * the request's reply-to bytes with the cached one, so a steady stream of requests allocates nothing for it. A
 * publication opened only to answer requesters counts among the reply-only ones ({@link ReplyPublications},
 * bounded); evicting one forgets the routes through it. Publications: any thread; routes: the network thread.
 *
 * @param <R> the endpoint's kind of route.
 */
public final class EndpointPublications<R extends ReturnRoute> implements TlsChannels.Publications
{
    static final int ROUTES_MAX = 4096;

    private final EmbeddedMediaDriver runtime;
    private final AeronTransportConfig config;
    private final int streamId;
    private final ReturnRoute.Factory<R> routeFactory;
    private final PendingCalls<?> calls;
    private final Map<String, FramedPublication> publications = new ConcurrentHashMap<>();
    private final ReplyPublications replyPublications = new ReplyPublications(publications);
    private final Long2ObjectHashMap<R> routes = new Long2ObjectHashMap<>();
    /** With TLS: the route of each accepted session, by session id. The network thread only. */
    private final Long2ObjectHashMap<R> secureRoutes = new Long2ObjectHashMap<>();

    EndpointPublications(final EmbeddedMediaDriver runtime, final AeronTransportConfig config, final int streamId,
        final ReturnRoute.Factory<R> routeFactory, final PendingCalls<?> calls)
    {
        this.runtime = runtime;
        this.config = config;
        this.streamId = streamId;
        this.routeFactory = routeFactory;
        this.calls = calls;
    }

    /** The publication to {@code address}, made if needed. Any thread. */
    @Override
    public FramedPublication publication(final String address)
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
            created.onDroppedBeforeHandshake(correlationId -> calls.failNotConnected(correlationId, a));
            return created;
        });
    }

    /** The publication to call {@code address} by, made if needed. Any thread. */
    public FramedPublication publicationToCall(final String address)
    {
        // An address this endpoint calls is not evicted as a reply-only one (the call and the eviction race only
        // for an address that is both a requester's and a callee's, which a node's peers are not).
        replyPublications.called(address);
        return publication(address);
    }

    /** Counts a requester's address among the reply-only publications; closes the one that makes room. */
    @Override
    public void admitReplyAddress(final String address)
    {
        final FramedPublication evicted = replyPublications.admit(address);
        if (evicted != null)
        {
            routes.values().removeIf(cachedRoute -> cachedRoute.publication == evicted);
            secureRoutes.values().removeIf(cachedRoute -> cachedRoute.publication == evicted);
            CloseHelper.close(evicted);
        }
    }

    /**
     * The route back to the sender of a clear request on Aeron session {@code sourceId}, whose reply-to is the
     * {@code length} bytes at {@code offset}; null when the reply-to is not an address to answer
     * ({@link ReplyToEnvelope#invalidReplyTo} says why). The network thread.
     */
    public R route(final long sourceId, final DirectBuffer buffer, final int offset, final int length)
    {
        final R cached = routes.get(sourceId);
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
        admitReplyAddress(text);
        final R route = routeFactory.route(address, publication(text), null);
        routes.put(sourceId, route);
        return route;
    }

    /** The route back to the sender of a request that came sealed in {@code session}. The network thread. */
    public R secureRoute(final TlsSession session)
    {
        R route = secureRoutes.get(session.id());
        if (route == null || route.session != session)
        {
            if (secureRoutes.size() >= ROUTES_MAX)
            {
                secureRoutes.clear();
            }
            // Responses go back by the session, to the address it was accepted from; the envelope's reply-to is
            // the same address and is not needed.
            route = routeFactory.route(session.peerAddress().getBytes(StandardCharsets.US_ASCII),
                publication(session.peerAddress()), session);
            secureRoutes.put(session.id(), route);
        }
        return route;
    }

    /**
     * Whether the publication to {@code address} counts as connected: its receiver sent a status message within
     * publication.connection.timeout.ms. False when nothing was ever sent there.
     */
    public boolean isConnectedTo(final String address)
    {
        final FramedPublication publication = publications.get(address);
        return publication != null && publication.isConnected();
    }

    /** Whether the receiver at {@code address} is known to be gone. */
    public boolean knownDown(final String address)
    {
        final FramedPublication publication = publications.get(address);
        return publication != null && publication.peerGone();
    }

    /** Publications open now. */
    public int count()
    {
        return publications.size();
    }

    void close()
    {
        CloseHelper.closeAll(publications.values());
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
}
