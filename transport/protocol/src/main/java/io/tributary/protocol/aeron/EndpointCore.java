package io.tributary.protocol.aeron;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import io.aeron.Subscription;
import io.tributary.protocol.frame.FrameError;
import io.tributary.protocol.frame.FrameErrors;
import io.tributary.protocol.frame.FrameHandler;
import io.tributary.protocol.frame.FrameReceiver;
import io.tributary.protocol.frame.FramedPublication;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.PayloadEncoder;
import io.tributary.protocol.frame.Reassembler;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.protocol.tls.TlsChannels;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.tls.TlsSession;

/**
 * The Aeron plumbing of a request/response endpoint, whatever its messages mean: a UDP subscription on the
 * endpoint's own address, polled by the process's {@link NetworkLoop}; with TLS, a session per peer pair
 * ({@link TlsChannels}) and no clear messages; the publications and routes back to requesters
 * ({@link EndpointPublications}); the calls waiting for responses ({@link PendingCalls}) and their timeout sweep;
 * and a close that waits out the network thread. The endpoint that holds it ({@link MessageEndpoint} for
 * Tributary's own protocol, the Raft transport's for Ratis) handles the messages, clear or sealed, on the network
 * thread and words the errors ({@link Texts}). Thread-safe.
 *
 * @param <R> the endpoint's kind of route back to a requester.
 * @param <C> the endpoint's kind of call.
 */
public final class EndpointCore<R extends ReturnRoute, C extends PendingCalls.Call>
{
    private static final long SWEEP_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    /** Hears a message that came sealed in a TLS session. The network thread; must not block. */
    @FunctionalInterface
    public interface SealedHandler
    {
        void onMessage(TlsSession session, MessageType type, long correlationId, long groupIdMsb, long groupIdLsb,
            DirectBuffer buffer, int offset, int length);
    }

    /** What the endpoint says in the errors it records and throws: why it refuses a message, and its calls' words. */
    public abstract static class Texts<C extends PendingCalls.Call> implements PendingCalls.Failures<C>
    {
        final String transport;
        final String tlsRecordsRefused;
        final String clearRefused;

        /**
         * @param transport         how the endpoint names its transport at the start of a setup error.
         * @param tlsRecordsRefused why TLS records sent to the endpoint, which has no TLS, are refused.
         * @param clearRefused      why a clear message sent to the endpoint, which takes TLS only, is refused: follows
         *                          "a clear " and the message's type.
         */
        protected Texts(final String transport, final String tlsRecordsRefused, final String clearRefused)
        {
            this.transport = transport;
            this.tlsRecordsRefused = tlsRecordsRefused;
            this.clearRefused = clearRefused;
        }
    }

    private final String name;
    private final AeronTransportConfig config;
    private final EmbeddedMediaDriver runtime;
    private final Texts<C> texts;
    private final FrameHandler clearHandler;
    private final FrameErrors errors;
    private final FrameReceiver receiver;
    private final Subscription subscription;
    private final String localAddress;
    private final byte[] localAddressBytes;
    private final PendingCalls<C> calls;
    private final EndpointPublications<R> publications;
    private final TlsChannels tls;
    private final NetworkLoop.Pollable pollable = this::poll;
    private volatile boolean running = true;
    private long nextSweepNs;

    /**
     * Subscribes and resolves the address; polled from {@link #start()} on.
     *
     * @param bindAddress   host:port to receive on ({@code host:0}: any free port).
     * @param tlsContext    TLS for every message, or null for none.
     * @param routeFactory  makes the endpoint's routes back to requesters.
     * @param clearHandler  hears the clear messages (none when TLS is on). The network thread.
     * @param sealedHandler hears the messages that came sealed in a TLS session. The network thread.
     */
    public EndpointCore(final String name, final EmbeddedMediaDriver runtime, final AeronTransportConfig config,
        final String bindAddress, final int streamId, final TlsContext tlsContext, final Texts<C> texts,
        final ReturnRoute.Factory<R> routeFactory, final FrameHandler clearHandler, final SealedHandler sealedHandler)
    {
        this.name = name;
        this.config = config;
        this.runtime = runtime;
        this.texts = texts;
        this.clearHandler = clearHandler;
        this.errors = new FrameErrors(name);
        this.calls = new PendingCalls<>(texts);
        this.publications = new EndpointPublications<>(runtime, config, streamId, routeFactory, calls);
        this.receiver = new FrameReceiver(config.messageBytesMax(), new Reassembler(config.messageBytesMax(),
            config.reassemblyBytesMax(), config.reassemblySourcesMax(),
                TimeUnit.MILLISECONDS.toNanos(config.reassemblyTimeoutMs()),
            errors), errors, SystemNanoClock.INSTANCE, this::onMessage);
        this.subscription = Uninterruptibly.call(() -> runtime.aeron()
            .addSubscription(AeronTransportConfig.udpChannel(bindAddress), streamId,
            image -> { }, receiver::onImageUnavailable));
        this.localAddress = resolve(subscription, bindAddress, config.connectTimeoutMs(), texts.transport);
        this.localAddressBytes = localAddress.getBytes(StandardCharsets.US_ASCII);
        if (localAddressBytes.length > ReplyToEnvelope.REPLY_TO_LENGTH_MAX)
        {
            throw new IllegalArgumentException(name + ": address " + localAddress + " longer than "
                + ReplyToEnvelope.REPLY_TO_LENGTH_MAX + " bytes");
        }
        this.tls = tlsContext == null ? null : new TlsChannels(name, tlsContext, localAddress, publications,
            new TlsChannels.Receiver()
            {
                @Override
                public void onMessage(final TlsSession session, final MessageType type, final long correlationId,
                    final long groupIdMsb, final long groupIdLsb, final DirectBuffer buffer, final int offset,
                    final int length)
                {
                    sealedHandler.onMessage(session, type, correlationId, groupIdMsb, groupIdLsb, buffer, offset,
                        length);
                }

                @Override
                public void onSessionFailed(final TlsSession session, final String reason,
                    final LongArrayList droppedCorrelationIds)
                {
                    calls.onSessionFailed(session, reason, droppedCorrelationIds);
                }
            }, errors);
    }

    private static String resolve(final Subscription subscription, final String bindAddress, final long timeoutMs,
        final String transport)
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
                throw new IllegalStateException(transport + ": the media driver did not bind " + bindAddress
                    + " within " + timeoutMs + " ms (transport.aeron.connect.timeout.ms); is the driver alive?");
            }
            idle.idle();
        }
    }

    /**
     * Has the process's network thread poll this endpoint from now on: the last step of the endpoint's constructor,
     * so that its handlers see it whole.
     */
    public void start()
    {
        // Polled by the process's network thread, which also runs the driver: one wake-up per message.
        runtime.network().register(pollable);
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

    public PendingCalls<C> calls()
    {
        return calls;
    }

    public EndpointPublications<R> publications()
    {
        return publications;
    }

    /** False once closing. */
    public boolean isRunning()
    {
        return running;
    }

    /** An encoder that puts this endpoint's address in front of a request ({@code body}: see the constructor's). */
    public <M> ReplyToEnvelope<M> envelope(final PayloadEncoder<?> body)
    {
        return new ReplyToEnvelope<>(localAddressBytes, body);
    }

    /**
     * Sends the request of {@code call} (added to {@link #calls()} as {@code correlationId}) by {@code publication},
     * sealed when TLS is on; a send that fails fails the call at once and is returned. Any thread.
     */
    public <M> SendStatus send(final C call, final long correlationId, final FramedPublication publication,
        final MessageType type, final long groupIdMsb, final long groupIdLsb, final M message,
        final PayloadEncoder<M> encoder)
    {
        final SendStatus status;
        if (tls == null)
        {
            status = publication.send(type, correlationId, groupIdMsb, groupIdLsb, message, encoder);
        }
        else if (publication.peerGone())
        {
            // No session (and no handshake's key exchange) for a peer known to be down: fail as a clear send would.
            status = SendStatus.NOT_CONNECTED;
        }
        else
        {
            final TlsSession session = tls.sessionTo(call.address);
            call.session = session;
            status = session.send(type, correlationId, groupIdMsb, groupIdLsb, message, encoder);
        }
        if (status != SendStatus.OK)
        {
            final TlsSession session = call.session;
            calls.fail(correlationId, new IOException(name + ": " + type + " to " + call.address + " not sent: "
                + status + status.hint(config.offerTimeoutMs())
                + (session != null && session.failure() != null ? ": " + session.failure() : "")));
        }
        return status;
    }

    /**
     * Whether a response that came sealed in {@code session} is taken: only in a session this side dialled, as only
     * requests go the other way (else it is recorded and dropped). The network thread.
     */
    public boolean takesResponse(final TlsSession session, final MessageType type)
    {
        if (!session.isDialler())
        {
            errors.record(FrameError.PAYLOAD_INVALID, session.id(), type + " from " + session.peer()
                + " in a session it dialled: only requests go that way");
            return false;
        }
        return true;
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
            work += calls.sweep(nowNs);
        }
        return work;
    }

    private void onMessage(final long sourceId, final MessageType type, final long correlationId, final long groupIdMsb,
        final long groupIdLsb, final DirectBuffer buffer, final int offset, final int length)
    {
        if (type == MessageType.TLS_RECORDS)
        {
            if (tls == null)
            {
                errors.record(FrameError.PAYLOAD_INVALID, sourceId, texts.tlsRecordsRefused);
                return;
            }
            tls.onRecords(sourceId, correlationId, groupIdMsb, buffer, offset, length);
            return;
        }
        if (tls != null)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, "a clear " + type + texts.clearRefused);
            return;
        }
        clearHandler.onMessage(sourceId, type, correlationId, groupIdMsb, groupIdLsb, buffer, offset, length);
    }

    /** Fails the calls in flight and closes the subscription, the sessions and the publications. Idempotent. */
    public void close()
    {
        if (!running)
        {
            return;
        }
        running = false;
        runtime.network().deregister(pollable);
        awaitNetworkTurn();
        calls.failAll();
        if (tls != null)
        {
            tls.close();
        }
        publications.close();
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
}
