package io.tributary.protocol.tls;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.protocol.aeron.ReplyAddresses;
import io.tributary.protocol.frame.FrameError;
import io.tributary.protocol.frame.FrameErrors;
import io.tributary.protocol.frame.FramedPublication;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.SendStatus;

/**
 * The TLS sessions of one endpoint: the ones it dialled (one per peer address, made on first use and
 * replaced when one fails) and the ones peers dialled to it (by session id, made by a ClientHello). It
 * turns {@code TLS_RECORDS} messages into sealed messages for the endpoint and back.
 * <p>
 * Bounds, so a stranger cannot spend a node's memory or CPU: at most {@link #ACCEPTED_MAX} accepted sessions
 * (the least recently active goes first), of which at most {@link #HANDSHAKING_MAX} still handshaking; a
 * handshake not done within {@code security.tls.handshake.timeout.ms} fails. Records for a session this side
 * does not know are answered {@code RESET}, so a dialler whose peer restarted starts over at once.
 * <p>
 * Records arrive on the endpoint's network thread; sessions send from any thread. Thread-safe.
 */
public final class TlsChannels
{
    public static final int ACCEPTED_MAX = 1024;
    public static final int HANDSHAKING_MAX = 64;
    private static final Logger LOG = LoggerFactory.getLogger(TlsChannels.class);

    /** The endpoint's publications. */
    public interface Publications
    {
        /** The publication to an address (made if needed). */
        FramedPublication publication(String address);

        /**
         * Before answering an address no session was dialled to: counts it among the publications opened only to
         * answer (bounded, the oldest evicted). The network thread.
         */
        void admitReplyAddress(String address);
    }

    /** The endpoint: hears sealed messages and sessions that fail. */
    public interface Receiver
    {
        void onMessage(TlsSession session, MessageType type, long correlationId, long groupIdMsb, long groupIdLsb,
            DirectBuffer buffer, int offset, int length);

        void onSessionFailed(TlsSession session, String reason, LongArrayList droppedCorrelationIds);
    }

    private final String name;
    private final TlsContext context;
    private final String localAddress;
    private final byte[] localAddressBytes;
    private final Publications publications;
    private final Receiver receiver;
    private final FrameErrors errors;
    private final SecureRandom random = new SecureRandom();
    private final TlsSession.Output output = this::publish;
    private final TlsSession.Listener listener;
    /** Guards the maps below. */
    private final Object lock = new Object();
    private final Map<String, TlsSession> dialledByAddress = new HashMap<>();
    private final Long2ObjectHashMap<TlsSession> dialledById = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<TlsSession> accepted = new Long2ObjectHashMap<>();
    private final UnsafeBuffer resetMessage;
    /** When a session failure with each peer was last logged at WARN (a peer that is down fails every attempt). */
    private final Map<String, Long> warnedAt = new HashMap<>();
    private static final long WARN_INTERVAL_NS = 10_000_000_000L;
    /** The sessions expire() walks, and those past their handshake deadline; reused. The network thread only. */
    private final List<TlsSession> sweep = new ArrayList<>();
    private final List<TlsSession> overdue = new ArrayList<>();
    private volatile boolean closing;

    public TlsChannels(final String name, final TlsContext context, final String localAddress,
        final Publications publications, final Receiver receiver, final FrameErrors errors)
    {
        this.name = name;
        this.context = context;
        this.localAddress = localAddress;
        this.localAddressBytes = localAddress.getBytes(StandardCharsets.US_ASCII);
        this.publications = publications;
        this.receiver = receiver;
        this.errors = errors;
        this.resetMessage = new UnsafeBuffer(new byte[TlsRecordsDescriptor.ADDRESS_OFFSET
            + localAddressBytes.length]);
        resetMessage.putShort(TlsRecordsDescriptor.ADDRESS_LENGTH_OFFSET, (short)localAddressBytes.length,
            LITTLE_ENDIAN);
        resetMessage.putBytes(TlsRecordsDescriptor.ADDRESS_OFFSET, localAddressBytes);
        this.listener = new TlsSession.Listener()
        {
            @Override
            public void onMessage(final TlsSession session, final MessageType type, final long correlationId,
                final long groupIdMsb, final long groupIdLsb, final DirectBuffer buffer, final int offset,
                final int length)
            {
                receiver.onMessage(session, type, correlationId, groupIdMsb, groupIdLsb, buffer, offset, length);
            }

            @Override
            public void onEstablished(final TlsSession session)
            {
                if (!session.isDialler())
                {
                    context.sessionObserver().onSession(session.peer(), session.peerAddress(), true,
                        "TLS session " + Long.toHexString(session.id()));
                }
            }

            @Override
            public void onFailed(final TlsSession session, final String reason, final LongArrayList dropped)
            {
                if (!session.isDialler())
                {
                    context.sessionObserver().onSession(session.peer(), session.peerAddress(), false, reason);
                }
                forget(session);
                if (closing || !warnNow(session.peerAddress()))
                {
                    LOG.debug("{}: {} failed: {}", name, session, reason);
                }
                else
                {
                    LOG.warn("{}: {} failed: {} (further failures with this peer within {} s are logged at DEBUG)",
                        name, session, reason, WARN_INTERVAL_NS / 1_000_000_000L);
                }
                receiver.onSessionFailed(session, reason, dropped);
            }
        };
    }

    /** The session to {@code address} this side dialled, made and started when there is none that works. */
    public TlsSession sessionTo(final String address)
    {
        synchronized (lock)
        {
            final TlsSession known = dialledByAddress.get(address);
            if (known != null && known.state() != TlsSession.State.FAILED)
            {
                return known;
            }
        }
        final int colon = address.lastIndexOf(':');
        final String host = colon > 0 ? address.substring(0, colon) : address;
        final int port = colon > 0 ? Integer.parseInt(address.substring(colon + 1)) : 0;
        final TlsSession session;
        synchronized (lock)
        {
            final TlsSession known = dialledByAddress.get(address);
            if (known != null && known.state() != TlsSession.State.FAILED)
            {
                return known;
            }
            long id;
            do
            {
                id = random.nextLong();
            }
            while (id == 0 || dialledById.containsKey(id));
            session = new TlsSession(id, true, address, context.clientEngine(host, port), localAddress,
                context.settings().handshakeTimeoutMs(), output, listener);
            if (known != null)
            {
                dialledById.remove(known.id());
            }
            dialledByAddress.put(address, session);
            dialledById.put(id, session);
        }
        session.start();
        return session;
    }

    /**
     * One {@code TLS_RECORDS} message from the network (the frame's correlation id is the session id, its group
     * id MSB the direction marker). The network thread only.
     */
    public void onRecords(final long sourceId, final long sessionId, final long marker, final DirectBuffer buffer,
        final int offset, final int length)
    {
        if (length < TlsRecordsDescriptor.ADDRESS_OFFSET)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, "TLS records of " + length + " bytes: no address");
            return;
        }
        final int addressLength = buffer.getShort(offset + TlsRecordsDescriptor.ADDRESS_LENGTH_OFFSET, LITTLE_ENDIAN)
            & 0xFFFF;
        if (addressLength == 0 || addressLength > TlsRecordsDescriptor.ADDRESS_LENGTH_MAX
            || addressLength > length - TlsRecordsDescriptor.ADDRESS_OFFSET)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, "TLS records: address length " + addressLength
                + " in " + length + " bytes");
            return;
        }
        final int recordsOffset = offset + TlsRecordsDescriptor.ADDRESS_OFFSET + addressLength;
        final int recordsLength = length - TlsRecordsDescriptor.ADDRESS_OFFSET - addressLength;
        if (marker == TlsRecordsDescriptor.FROM_ACCEPTOR || marker == TlsRecordsDescriptor.RESET)
        {
            final TlsSession session;
            synchronized (lock)
            {
                session = dialledById.get(sessionId);
            }
            if (session == null)
            {
                errors.record(FrameError.PAYLOAD_INVALID, sourceId, "TLS records for session "
                    + Long.toHexString(sessionId) + ", which this side did not dial (or already gave up)");
            }
            else if (marker == TlsRecordsDescriptor.RESET)
            {
                session.fail("the peer at " + session.peerAddress() + " knows no TLS session "
                    + Long.toHexString(sessionId) + " (it restarted?); a new one starts with the next message");
            }
            else
            {
                session.onRecords(buffer, recordsOffset, recordsLength);
            }
            return;
        }
        if (marker != TlsRecordsDescriptor.FROM_DIALLER)
        {
            errors.record(FrameError.PAYLOAD_INVALID, sourceId, "TLS records with direction marker " + marker);
            return;
        }
        TlsSession session;
        synchronized (lock)
        {
            session = accepted.get(sessionId);
        }
        if (session == null)
        {
            final String address = buffer.getStringWithoutLengthAscii(offset + TlsRecordsDescriptor.ADDRESS_OFFSET,
                addressLength);
            final String invalid = ReplyAddresses.invalid(address);
            if (invalid != null)
            {
                errors.record(FrameError.PAYLOAD_INVALID, sourceId, "TLS records: bad sender address: " + invalid);
                return;
            }
            final boolean clientHello = recordsLength > 0
                && buffer.getByte(recordsOffset) == TlsRecordsDescriptor.CONTENT_TYPE_HANDSHAKE;
            publications.admitReplyAddress(address);
            if (!clientHello)
            {
                reset(address, sessionId);
                return;
            }
            session = accept(sourceId, sessionId, address);
            if (session == null)
            {
                return;
            }
        }
        session.onRecords(buffer, recordsOffset, recordsLength);
    }

    private TlsSession accept(final long sourceId, final long sessionId, final String address)
    {
        final TlsSession session;
        synchronized (lock)
        {
            int handshaking = 0;
            TlsSession idlest = null;
            for (final TlsSession known : accepted.values())
            {
                if (known.state() == TlsSession.State.HANDSHAKING)
                {
                    handshaking++;
                }
                if (idlest == null || known.lastActiveNs() - idlest.lastActiveNs() < 0)
                {
                    idlest = known;
                }
            }
            if (handshaking >= HANDSHAKING_MAX)
            {
                errors.record(FrameError.PAYLOAD_INVALID, sourceId, "TLS: " + handshaking
                    + " handshakes under way already; a ClientHello from " + address + " dropped");
                return null;
            }
            if (accepted.size() >= ACCEPTED_MAX && idlest != null)
            {
                accepted.remove(idlest.id());
                idlest.fail("evicted: " + ACCEPTED_MAX + " TLS sessions accepted, and this one was the least active");
            }
            session = new TlsSession(sessionId, false, address, context.serverEngine(), localAddress,
                context.settings().handshakeTimeoutMs(), output, listener);
            accepted.put(sessionId, session);
        }
        session.start();
        return session;
    }

    private void reset(final String address, final long sessionId)
    {
        final FramedPublication publication = publications.publication(address);
        // The network thread: never waits for a sender on this publication (it may be waiting for the driver this
        // thread runs). A reset not sent now is sent at the peer's next records for the unknown session.
        publication.sendIfIdle(MessageType.TLS_RECORDS, sessionId, TlsRecordsDescriptor.RESET, 0, resetMessage, 0,
            resetMessage.capacity());
    }

    private SendStatus publish(final TlsSession session, final DirectBuffer buffer, final int offset,
        final int length, final long tag)
    {
        final FramedPublication publication;
        try
        {
            publication = publications.publication(session.peerAddress());
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}: no publication to {}: {}", name, session.peerAddress(), ex.toString());
            return SendStatus.CLOSED;
        }
        return publication.send(MessageType.TLS_RECORDS, session.id(),
            session.isDialler() ? TlsRecordsDescriptor.FROM_DIALLER : TlsRecordsDescriptor.FROM_ACCEPTOR, tag,
            buffer, offset, length);
    }

    private boolean warnNow(final String peerAddress)
    {
        synchronized (lock)
        {
            final long nowNs = System.nanoTime();
            final Long last = warnedAt.get(peerAddress);
            if (last != null && nowNs - last < WARN_INTERVAL_NS)
            {
                return false;
            }
            if (warnedAt.size() >= ACCEPTED_MAX)
            {
                warnedAt.clear();
            }
            warnedAt.put(peerAddress, nowNs);
            return true;
        }
    }

    private void forget(final TlsSession session)
    {
        synchronized (lock)
        {
            if (session.isDialler())
            {
                dialledById.remove(session.id(), session);
                dialledByAddress.remove(session.peerAddress(), session);
            }
            else
            {
                accepted.remove(session.id(), session);
            }
        }
    }

    /**
     * Fails the handshakes past their deadline and sends what waits for back-pressure to pass. The network thread,
     * now and then.
     */
    public void expire(final long nowNs)
    {
        overdue.clear();
        synchronized (lock)
        {
            sweep.clear();
            sweep.addAll(dialledById.values());
            sweep.addAll(accepted.values());
        }
        for (final TlsSession session : sweep)
        {
            if (session.handshakeOverdue(nowNs))
            {
                overdue.add(session);
            }
            else
            {
                session.drainBacklog();
            }
        }
        for (final TlsSession session : overdue)
        {
            session.fail("no TLS handshake with " + session.peerAddress() + " within "
                + context.settings().handshakeTimeoutMs() + " ms (" + TlsSettings.HANDSHAKE_TIMEOUT_MS
                + "): is TLS on at the peer (" + TlsSettings.ENABLED + ") and does it answer?");
        }
    }

    /** Fails every session (the endpoint is closing). */
    public void close()
    {
        closing = true;
        final List<TlsSession> all = new ArrayList<>();
        synchronized (lock)
        {
            all.addAll(dialledById.values());
            all.addAll(accepted.values());
        }
        for (final TlsSession session : all)
        {
            session.fail(name + " closed");
        }
    }
}
