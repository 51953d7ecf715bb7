package io.tributary.protocol.aeron;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;

import io.tributary.protocol.frame.FramedPublication;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.PayloadEncoder;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.protocol.tls.TlsSession;

/**
 * Where the responses to one requester go: its reply-to address, the publication to it and, with TLS, the session
 * its requests came by. An endpoint caches one per requester ({@link EndpointPublications}) and hands it to its
 * request handler; each endpoint's subclass adds what its handlers need. Sends from any thread.
 */
public class ReturnRoute
{
    /** Makes an endpoint's kind of route. */
    @FunctionalInterface
    public interface Factory<R extends ReturnRoute>
    {
        R route(byte[] address, FramedPublication publication, TlsSession session);
    }

    final byte[] address;
    final FramedPublication publication;
    /** The TLS session the requests came in (and responses go back) by; null without TLS. */
    public final TlsSession session;

    protected ReturnRoute(final byte[] address, final FramedPublication publication, final TlsSession session)
    {
        this.address = address;
        this.publication = publication;
        this.session = session;
    }

    /** The requester's principal from its certificate; null without TLS. */
    public PeerIdentity principal()
    {
        return session == null ? null : session.peer();
    }

    public String address()
    {
        return new String(address, StandardCharsets.US_ASCII);
    }

    /** Sends {@code length} bytes of {@code buffer} as a response, by the session if any; returns why not. */
    public SendStatus send(final MessageType type, final long correlationId, final long groupIdMsb,
        final long groupIdLsb, final DirectBuffer buffer, final int offset, final int length)
    {
        return session != null ? session.send(type, correlationId, groupIdMsb, groupIdLsb, buffer, offset, length)
            : publication.send(type, correlationId, groupIdMsb, groupIdLsb, buffer, offset, length);
    }

    /** Sends a response encoded in place (or through the publication's scratch for large ones); returns why not. */
    public <M> SendStatus send(final MessageType type, final long correlationId, final long groupIdMsb,
        final long groupIdLsb, final M message, final PayloadEncoder<M> encoder)
    {
        return session != null ? session.send(type, correlationId, groupIdMsb, groupIdLsb, message, encoder)
            : publication.send(type, correlationId, groupIdMsb, groupIdLsb, message, encoder);
    }
}
