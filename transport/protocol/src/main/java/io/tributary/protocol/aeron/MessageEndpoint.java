package io.tributary.protocol.aeron;

import java.io.IOException;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.protocol.frame.FrameError;
import io.tributary.protocol.frame.FrameErrors;
import io.tributary.protocol.frame.FramedPublication;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.PayloadEncoder;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.protocol.net.ClientTransport;
import io.tributary.protocol.net.RequestHandler;
import io.tributary.protocol.net.Responder;
import io.tributary.protocol.net.ResponseHandler;
import io.tributary.protocol.tls.TlsChannels;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.tls.TlsSession;

/**
 * Request and response of raw messages over Aeron, for Tributary's own protocol between clients
 * and a node's front end: a UDP subscription on this side's address, polled by the process's
 * {@link NetworkLoop}; a publication per remote address; the calls waiting for responses (the
 * plumbing is an {@link EndpointCore}; this class says what the messages mean).
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
    public static final int REPLY_TO_LENGTH_MAX = ReplyToEnvelope.REPLY_TO_LENGTH_MAX;
    private static final Logger LOG = LoggerFactory.getLogger(MessageEndpoint.class);

    /** Where the responses to one requester go. */
    public static final class Route extends ReturnRoute implements Responder
    {
        Route(final byte[] address, final FramedPublication publication, final TlsSession session)
        {
            super(address, publication, session);
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
            return send(type, correlationId, 0, 0, buffer, offset, length);
        }

        /** Sends a response encoded in place (or through the publication's scratch for large ones). Any thread. */
        public <M> SendStatus respond(final MessageType type, final long correlationId, final M message,
            final PayloadEncoder<M> encoder)
        {
            return send(type, correlationId, 0, 0, message, encoder);
        }
    }

    private static final class Pending extends PendingCalls.Call
    {
        final ResponseHandler handler;

        Pending(final ResponseHandler handler, final MessageType requestType, final String address,
            final long timeoutMs)
        {
            super(requestType, address, timeoutMs);
            this.handler = handler;
        }

        @Override
        protected void fail(final IOException error)
        {
            handler.onFailure(error);
        }
    }

    private final String name;
    private final AeronTransportConfig config;
    private final RequestHandler handler;
    private final EndpointCore<Route, Pending> core;
    private final FrameErrors errors;
    private final PendingCalls<Pending> calls;
    private final EndpointPublications<Route> publications;
    private final ReplyToEnvelope<Body> envelope;

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
        this.handler = handler;
        this.core = new EndpointCore<>(name, runtime, config, bindAddress, streamId, tlsContext, new Texts(),
            Route::new, this::onMessage, this::onSecureMessage);
        this.errors = core.errors();
        this.calls = core.calls();
        this.publications = core.publications();
        this.envelope = core.envelope(BODY);
        core.start();
    }

    /** The address requests reach this endpoint on (and responses come back to). */
    public String localAddress()
    {
        return core.localAddress();
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
        return publications.isConnectedTo(address);
    }

    @Override
    public boolean knownDown(final String address)
    {
        return publications.knownDown(address);
    }

    /** Calls in flight (for tests and statistics). */
    public int pendingCalls()
    {
        return calls.size();
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
        if (!core.isRunning())
        {
            responseHandler.onFailure(new IOException(name + ": closed; " + type + " to " + address + " not sent"));
            return;
        }
        final Pending call = new Pending(responseHandler, type, address, timeoutMs);
        final long correlationId = calls.add(call);
        final FramedPublication publication;
        try
        {
            publication = publications.publicationToCall(address);
        }
        catch (final RuntimeException ex)
        {
            calls.fail(correlationId, new IOException(name + ": cannot open a publication to " + address + ": " + ex,
                ex));
            return;
        }
        final boolean connected = publication.isConnected();
        final SendStatus status = core.send(call, correlationId, publication, type, 0, 0,
            new Body(body, offset, length), envelope);
        if (status == SendStatus.OK && connected)
        {
            // Harmless if the call has already ended (its response came first): the sweep only sees pending calls.
            call.sentToConnected = publication;
        }
    }

    private void onMessage(final long sourceId, final MessageType type, final long correlationId, final long groupIdMsb,
        final long groupIdLsb, final DirectBuffer buffer, final int offset, final int length)
    {
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
        final int replyToLength = ReplyToEnvelope.replyToLength(errors, sourceId, type, buffer, offset, length);
        if (replyToLength < 0)
        {
            return;
        }
        final Route route;
        try
        {
            route = publications.route(sourceId, buffer, offset + 2, replyToLength);
        }
        catch (final RuntimeException ex)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, type + ": bad reply-to: " + ex.getMessage());
            return;
        }
        if (route == null)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, type + ": bad reply-to: "
                + ReplyToEnvelope.invalidReplyTo(buffer, offset + 2, replyToLength));
            return;
        }
        handler.onRequest(route, type, correlationId, buffer, offset + 2 + replyToLength, length - 2 - replyToLength);
    }

    /** A message that came sealed in a TLS session. The network thread. */
    private void onSecureMessage(final TlsSession session, final MessageType type, final long correlationId,
        final long groupIdMsb, final long groupIdLsb, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!type.name().endsWith("_REQUEST"))
        {
            if (core.takesResponse(session, type))
            {
                onResponse(session.id(), type, correlationId, buffer, offset, length);
            }
            return;
        }
        if (handler == null || session.isDialler())
        {
            errors.record(FrameError.PAYLOAD_INVALID, session.id(), type + " from " + session.peer()
                + (handler == null ? " sent to an endpoint that serves no requests"
                    : " in a session this side dialled"));
            return;
        }
        final int replyToLength = ReplyToEnvelope.replyToLength(errors, session, type, buffer, offset, length);
        if (replyToLength < 0)
        {
            return;
        }
        handler.onRequest(publications.secureRoute(session), type, correlationId, buffer, offset + 2 + replyToLength,
            length - 2 - replyToLength);
    }

    private void onResponse(final long sourceId, final MessageType type, final long correlationId,
        final DirectBuffer buffer,
        final int offset, final int length)
    {
        final Pending call = calls.remove(correlationId);
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
            LOG.error("{}: the handler of a {} response from {} failed", name, type, call.address(), ex);
        }
    }

    @Override
    public void close()
    {
        core.close();
    }

    /** This endpoint's words: its peers are nodes, and they answer with responses. */
    private final class Texts extends EndpointCore.Texts<Pending>
    {
        Texts()
        {
            super("Aeron", "TLS records sent to an endpoint without TLS: turn security.tls.enabled on here, or off at "
                + "the sender", " sent to an endpoint that takes TLS only: the sender needs security.tls.enabled=true "
                + "and a certificate of the cluster's CA");
        }

        @Override
        public IOException timedOut(final Pending call, final long correlationId)
        {
            return new IOException(name + ": no response to " + call.requestType() + " (correlation " + correlationId
                + ") from " + call.address() + " in time; is the node running and reachable? (raise the client's "
                + "request timeout if it is only slow)");
        }

        @Override
        public IOException wentSilent(final Pending call, final long correlationId)
        {
            return new IOException(name + ": no response to " + call.requestType() + " (correlation " + correlationId
                + ") from " + call.address() + ": the node went silent after the request was sent (down, restarting "
                + "or paused?)");
        }

        @Override
        public IOException notConnected(final Pending call, final String address)
        {
            return new IOException(name + ": request to " + address + " not sent: NOT_CONNECTED (no receiver joined "
                + "within " + config.offerTimeoutMs() + " ms: node down?)");
        }

        @Override
        public IOException notSent(final Pending call, final TlsSession session, final String reason)
        {
            return new IOException(name + ": request to " + session.peerAddress() + " not sent: " + reason);
        }

        @Override
        public IOException unanswered(final Pending call, final TlsSession session, final String reason)
        {
            return new IOException(name + ": no response from " + session.peerAddress() + ": " + reason);
        }

        @Override
        public IOException closed(final Pending call)
        {
            return new IOException(name + ": closed before a response to " + call.requestType() + " from "
                + call.address());
        }
    }

    /** A request's message: {@code length} bytes of {@code buffer}, after the reply-to. */
    private record Body(DirectBuffer buffer, int offset, int length)
    {
    }

    private static final PayloadEncoder<Body> BODY = new PayloadEncoder<>()
    {
        @Override
        public int encodedLength(final Body message)
        {
            return message.length;
        }

        @Override
        public void encode(final Body message, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            buffer.putBytes(offset, message.buffer, message.offset, message.length);
        }
    };
}
