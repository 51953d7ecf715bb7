package io.tributary.protocol.tls;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

import org.agrona.DirectBuffer;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.PayloadEncoder;
import io.tributary.protocol.frame.SendStatus;

/**
 * One TLS 1.3 session with one peer over a message transport (the JDK's {@link SSLEngine}): it seals each
 * message it is given into whole TLS records and hands them to its {@link Output} as one message, and opens
 * the records that arrive into messages for its {@link Listener}. The transport must deliver each side's
 * messages whole and in order (an Aeron publication does); a message lost or reordered breaks the session,
 * which then fails and is replaced by a new one.
 * <p>
 * Messages sent before the handshake ends wait in the session (at most {@link #QUEUED_BYTES_MAX}) and leave
 * when it ends; if it fails they are reported dropped by correlation id, so their callers fail at once.
 * A failure says why, in the words the peer's alert or our own checks gave (unknown CA, expired,
 * hostname), and the failing side sends its alert so the peer learns it too.
 * <p>
 * A publication that refuses a sealed message for a while (back-pressure, a peer silent for a moment) does not
 * fail the session: sealed records are numbered and cannot be dropped, so the message waits in the session (at
 * most {@link #BACKLOG_BYTES_MAX}, for at most the handshake timeout) and leaves before anything sealed after it.
 * <p>
 * Threads: any thread sends (sealing and publishing one message at a time, so records leave in sequence);
 * one thread (the transport's network thread) delivers records. Buffers are heap buffers reused across
 * messages; ones grown past {@link #RETAINED_BYTES_MAX} for a large message are let go after it.
 */
public final class TlsSession
{
    /** Plaintext waiting for the handshake, at most. */
    public static final int QUEUED_BYTES_MAX = 4 * 1024 * 1024;
    /** A buffer grown larger than this for one message is dropped after it (the next message allocates). */
    static final int RETAINED_BYTES_MAX = 1024 * 1024;
    /** The most plaintext one TLS record carries. */
    private static final int RECORD_PLAINTEXT_MAX = 16_384;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    public enum State
    {
        HANDSHAKING,
        ESTABLISHED,
        FAILED
    }

    /**
     * Publishes one records message of this session: its id and direction go in the frame header, and {@code tag}
     * (the message's sequence and attempt) in the group id LSB, so a message sent again after back-pressure cut it
     * short is a new message to the receiver's reassembly, not a duplicate of the partial one.
     */
    @FunctionalInterface
    public interface Output
    {
        SendStatus send(TlsSession session, DirectBuffer buffer, int offset, int length, long tag);
    }

    /** Sealed messages waiting for a publication under back-pressure, at most (beyond: the session fails). */
    public static final int BACKLOG_BYTES_MAX = 16 * 1024 * 1024;

    /** A sealed message the publication could not take yet. */
    private static final class Backlogged
    {
        final byte[] bytes;
        final long sequence;
        int attempts;

        Backlogged(final byte[] bytes, final long sequence)
        {
            this.bytes = bytes;
            this.sequence = sequence;
        }
    }

    /** Hears a session's messages and its end. Called on the thread that delivered the records (or sent). */
    public interface Listener
    {
        void onMessage(TlsSession session, MessageType type, long correlationId, long groupIdMsb, long groupIdLsb,
            DirectBuffer buffer, int offset, int length);

        /**
         * The session failed (or was closed); {@code droppedCorrelationIds} are the messages that waited for the
         * handshake and never left.
         */
        void onFailed(TlsSession session, String reason, LongArrayList droppedCorrelationIds);

        /** The handshake finished: {@link #peer()} is known. On the thread that finished it; must not block. */
        default void onEstablished(final TlsSession session)
        {
        }
    }

    private final long id;
    private final boolean dialler;
    private final String peerAddress;
    private final SSLEngine engine;
    private final byte[] localAddress;
    private final Output output;
    private final Listener listener;
    private final long handshakeDeadlineNs;
    private final ReentrantLock sendLock = new ReentrantLock();
    private volatile State state = State.HANDSHAKING;
    private volatile String failure;
    private volatile PeerIdentity peer;
    private volatile long lastActiveNs;

    // Sending side, guarded by sendLock.
    private ByteBuffer plainOut = ByteBuffer.allocate(4096);
    private final UnsafeBuffer plainOutView = new UnsafeBuffer(plainOut);
    private ByteBuffer netOut;
    private final UnsafeBuffer netOutView = new UnsafeBuffer(0, 0);
    private final ArrayDeque<byte[]> queued = new ArrayDeque<>();
    private final LongArrayList queuedCorrelationIds = new LongArrayList();
    private int queuedBytes;
    /**
     * Sealed records are numbered by the TLS engine, so one the publication refuses cannot be dropped (the peer would
     * see a gap and fail the session): it waits here and leaves, in order, before anything sealed after it.
     */
    private final ArrayDeque<Backlogged> backlog = new ArrayDeque<>();
    private final UnsafeBuffer backlogView = new UnsafeBuffer(0, 0);
    private int backlogBytes;
    private long messagesPublished;
    private volatile boolean hasBacklog;
    /** When the oldest message waiting began to wait. */
    private long backlogSinceNs;
    private final long backlogWaitMaxNs;

    // Receiving side: the delivering thread only.
    private ByteBuffer netIn;
    private ByteBuffer plainIn;
    private final UnsafeBuffer plainInView = new UnsafeBuffer(0, 0);

    /**
     * @param id           the session id both sides know it by (chosen at random by the dialler).
     * @param dialler      true on the side that dials (the TLS client).
     * @param peerAddress  where the peer's records go.
     * @param localAddress this side's address, in front of every records message.
     */
    public TlsSession(final long id, final boolean dialler, final String peerAddress, final SSLEngine engine,
        final String localAddress, final long handshakeTimeoutMs, final Output output, final Listener listener)
    {
        this.id = id;
        this.dialler = dialler;
        this.peerAddress = peerAddress;
        this.engine = engine;
        this.localAddress = localAddress.getBytes(StandardCharsets.US_ASCII);
        if (this.localAddress.length > TlsRecordsDescriptor.ADDRESS_LENGTH_MAX)
        {
            throw new IllegalArgumentException("TLS: local address " + localAddress + " longer than "
                + TlsRecordsDescriptor.ADDRESS_LENGTH_MAX + " bytes");
        }
        this.output = output;
        this.listener = listener;
        this.lastActiveNs = System.nanoTime();
        this.handshakeDeadlineNs = lastActiveNs + TimeUnit.MILLISECONDS.toNanos(handshakeTimeoutMs);
        this.backlogWaitMaxNs = TimeUnit.MILLISECONDS.toNanos(handshakeTimeoutMs);
        this.netOut = ByteBuffer.allocate(prefixLength() + engine.getSession().getPacketBufferSize());
        this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        this.plainIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    }

    /** Begins the handshake: the dialler sends its ClientHello now; the acceptor waits for it. */
    public void start()
    {
        sendLock.lock();
        try
        {
            try
            {
                engine.beginHandshake();
                pumpHandshake();
            }
            catch (final SSLException | RuntimeException ex)
            {
                failLocked(describe(ex));
            }
        }
        finally
        {
            sendLock.unlock();
        }
        reportIfFailed();
    }

    public long id()
    {
        return id;
    }

    public boolean isDialler()
    {
        return dialler;
    }

    public String peerAddress()
    {
        return peerAddress;
    }

    public State state()
    {
        return state;
    }

    /** Why the session failed (null while it has not). */
    public String failure()
    {
        return failure;
    }

    /** The authenticated peer; null until the handshake ends. */
    public PeerIdentity peer()
    {
        return peer;
    }

    /** When a message last went either way. */
    public long lastActiveNs()
    {
        return lastActiveNs;
    }

    /** True once the handshake has not ended by its deadline. */
    public boolean handshakeOverdue(final long nowNs)
    {
        return state == State.HANDSHAKING && nowNs - handshakeDeadlineNs >= 0;
    }

    /**
     * Seals {@code length} bytes of {@code payload} as one message. Queued until the handshake ends.
     * @return OK when sent or queued; else why not (a failed publication also fails the session: records
     *         already sealed can no longer reach the peer in sequence).
     */
    public SendStatus send(final MessageType type, final long correlationId, final long groupIdMsb,
        final long groupIdLsb, final DirectBuffer payload, final int offset, final int length)
    {
        final SendStatus status;
        sendLock.lock();
        try
        {
            if (state == State.FAILED)
            {
                return SendStatus.TLS_FAILED;
            }
            stage(type, correlationId, groupIdMsb, groupIdLsb, length);
            plainOutView.putBytes(SealedMessageDescriptor.HEADER_LENGTH, payload, offset, length);
            status = sealStaged(correlationId, length);
        }
        finally
        {
            sendLock.unlock();
        }
        reportIfFailed();
        return status;
    }

    /** As {@link #send(MessageType, long, long, long, DirectBuffer, int, int)}, encoding the payload in place. */
    public <M> SendStatus send(final MessageType type, final long correlationId, final long groupIdMsb,
        final long groupIdLsb, final M message, final PayloadEncoder<M> encoder)
    {
        final int length = encoder.encodedLength(message);
        if (length < 0)
        {
            return SendStatus.ENCODE_FAILED;
        }
        final SendStatus status;
        sendLock.lock();
        try
        {
            if (state == State.FAILED)
            {
                return SendStatus.TLS_FAILED;
            }
            stage(type, correlationId, groupIdMsb, groupIdLsb, length);
            try
            {
                encoder.encode(message, plainOutView, SealedMessageDescriptor.HEADER_LENGTH, length);
            }
            catch (final RuntimeException ex)
            {
                return SendStatus.ENCODE_FAILED;
            }
            status = sealStaged(correlationId, length);
        }
        finally
        {
            sendLock.unlock();
        }
        reportIfFailed();
        return status;
    }

    private void stage(final MessageType type, final long correlationId, final long groupIdMsb,
        final long groupIdLsb, final int length)
    {
        final int total = SealedMessageDescriptor.HEADER_LENGTH + length;
        if (plainOut.capacity() < total)
        {
            plainOut = ByteBuffer.allocate(Math.max(total, plainOut.capacity() * 2));
            plainOutView.wrap(plainOut);
        }
        plainOutView.putLong(SealedMessageDescriptor.TYPE_OFFSET, 0L, LITTLE_ENDIAN);
        plainOutView.putByte(SealedMessageDescriptor.TYPE_OFFSET, type.id());
        plainOutView.putInt(SealedMessageDescriptor.PAYLOAD_LENGTH_OFFSET, length, LITTLE_ENDIAN);
        plainOutView.putLong(SealedMessageDescriptor.CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
        plainOutView.putLong(SealedMessageDescriptor.GROUP_ID_MSB_OFFSET, groupIdMsb, LITTLE_ENDIAN);
        plainOutView.putLong(SealedMessageDescriptor.GROUP_ID_LSB_OFFSET, groupIdLsb, LITTLE_ENDIAN);
    }

    /** Seals the staged message, or queues a copy while the handshake runs. Holds sendLock. */
    private SendStatus sealStaged(final long correlationId, final int length)
    {
        final int total = SealedMessageDescriptor.HEADER_LENGTH + length;
        if (state == State.HANDSHAKING)
        {
            if (queuedBytes + total > QUEUED_BYTES_MAX)
            {
                return SendStatus.BACK_PRESSURED;
            }
            final byte[] copy = new byte[total];
            plainOutView.getBytes(0, copy);
            queued.add(copy);
            queuedCorrelationIds.addLong(correlationId);
            queuedBytes += total;
            return SendStatus.OK;
        }
        final SendStatus status = sealAndPublish(total);
        shrinkSendBuffers();
        return status;
    }

    /** Wraps plainOut[0, total) and publishes the records as one message. Holds sendLock. */
    private SendStatus sealAndPublish(final int total)
    {
        plainOut.clear().limit(total);
        final int records = total / RECORD_PLAINTEXT_MAX + 1;
        ensureNetOut(prefixLength() + (records + 1) * engine.getSession().getPacketBufferSize());
        startNetOut();
        try
        {
            while (plainOut.hasRemaining())
            {
                final SSLEngineResult result = engine.wrap(plainOut, netOut);
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW)
                {
                    growNetOut(engine.getSession().getPacketBufferSize());
                }
                else if (result.getStatus() != SSLEngineResult.Status.OK)
                {
                    failLocked("the TLS engine refused to seal a message: " + result.getStatus());
                    return SendStatus.TLS_FAILED;
                }
            }
        }
        catch (final SSLException | RuntimeException ex)
        {
            failLocked(describe(ex));
            return SendStatus.TLS_FAILED;
        }
        final SendStatus status = publishNetOut();
        if (status != SendStatus.OK)
        {
            failLocked("a message could not be sent (" + status + "), so the peer will not see the session's records "
                + "in sequence; a new session is needed");
        }
        return status;
    }

    /**
     * Opens the records of one message from the peer (the bytes after the sender address) and delivers the
     * messages they carry. The delivering thread only.
     */
    public void onRecords(final DirectBuffer buffer, final int offset, final int length)
    {
        if (state == State.FAILED)
        {
            return;
        }
        lastActiveNs = System.nanoTime();
        if (netIn.capacity() < length)
        {
            netIn = ByteBuffer.allocate(length);
        }
        netIn.clear();
        buffer.getBytes(offset, netIn, length);
        netIn.flip();
        // Records never carry more plaintext than their own length: room for all of it at once. Grown one record at a
        // time instead, a 4 MB appendEntries cost 245 buffers and half a gigabyte of copying on the network thread,
        // which also runs the media driver: at 20,000 records/s the driver starved, peers saw it as gone, and
        // sessions failed one after another.
        if (plainIn.capacity() < length)
        {
            plainIn = ByteBuffer.allocate(length);
        }
        plainIn.clear();
        try
        {
            while (netIn.hasRemaining() && state != State.FAILED)
            {
                final SSLEngineResult result = engine.unwrap(netIn, plainIn);
                switch (result.getStatus())
                {
                    case OK:
                        break;
                    case BUFFER_OVERFLOW:
                        // Not expected (room for the whole message was made above); doubling keeps it linear anyway.
                        final ByteBuffer larger = ByteBuffer.allocate(Math.max(plainIn.capacity() * 2,
                            plainIn.capacity() + engine.getSession().getApplicationBufferSize()));
                        plainIn.flip();
                        larger.put(plainIn);
                        plainIn = larger;
                        continue;
                    case BUFFER_UNDERFLOW:
                        fail("a message from " + peerAddress + " ends inside a TLS record (" + length
                            + " bytes): records must arrive whole");
                        return;
                    case CLOSED:
                        fail("the peer " + peerAddress + " closed the TLS session");
                        return;
                    default:
                        throw new IllegalStateException("unknown unwrap status " + result.getStatus());
                }
                if (result.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING || state == State.HANDSHAKING)
                {
                    sendLock.lock();
                    try
                    {
                        pumpHandshake();
                    }
                    finally
                    {
                        sendLock.unlock();
                    }
                }
                if (result.bytesConsumed() == 0 && result.bytesProduced() == 0
                    && engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP)
                {
                    fail("the TLS engine consumed nothing of a message from " + peerAddress);
                    return;
                }
            }
        }
        catch (final SSLException | RuntimeException ex)
        {
            sendAlert();
            fail(describe(ex));
            return;
        }
        reportIfFailed();
        if (plainIn.position() > 0 && state == State.ESTABLISHED)
        {
            deliver(plainIn.position());
        }
        if (plainIn.capacity() > RETAINED_BYTES_MAX)
        {
            plainIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        }
        if (netIn.capacity() > RETAINED_BYTES_MAX)
        {
            netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        }
    }

    private void deliver(final int plaintextLength)
    {
        plainInView.wrap(plainIn.array(), 0, plaintextLength);
        int at = 0;
        while (at < plaintextLength)
        {
            if (plaintextLength - at < SealedMessageDescriptor.HEADER_LENGTH)
            {
                fail("a sealed message from " + peer + " at " + peerAddress + " is cut short: "
                    + (plaintextLength - at) + " bytes, less than its " + SealedMessageDescriptor.HEADER_LENGTH
                    + "-byte header");
                return;
            }
            final int typeId = plainInView.getByte(at + SealedMessageDescriptor.TYPE_OFFSET) & 0xFF;
            final int length = plainInView.getInt(at + SealedMessageDescriptor.PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
            final MessageType type = MessageType.get(typeId);
            final int payloadAt = at + SealedMessageDescriptor.HEADER_LENGTH;
            if (type == null || type == MessageType.TLS_RECORDS || length < 0 || length > plaintextLength - payloadAt)
            {
                fail("a sealed message from " + peer + " at " + peerAddress + " is malformed: type "
                    + typeId + ", payload " + length + " bytes of " + (plaintextLength - payloadAt) + " left");
                return;
            }
            listener.onMessage(this, type,
                plainInView.getLong(at + SealedMessageDescriptor.CORRELATION_ID_OFFSET, LITTLE_ENDIAN),
                plainInView.getLong(at + SealedMessageDescriptor.GROUP_ID_MSB_OFFSET, LITTLE_ENDIAN),
                plainInView.getLong(at + SealedMessageDescriptor.GROUP_ID_LSB_OFFSET, LITTLE_ENDIAN),
                plainInView, payloadAt, length);
            at = payloadAt + length;
        }
    }

    /**
     * Runs the handshake as far as it goes without the peer: runs the engine's tasks, sends each flight,
     * and on its end takes the peer's identity and sends what waited. Holds sendLock.
     */
    private void pumpHandshake() throws SSLException
    {
        startNetOut();
        while (state != State.FAILED)
        {
            final HandshakeStatus status = engine.getHandshakeStatus();
            if (status == HandshakeStatus.NEED_TASK)
            {
                runTasks();
            }
            else if (status == HandshakeStatus.NEED_WRAP)
            {
                final SSLEngineResult result = engine.wrap(EMPTY, netOut);
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW)
                {
                    growNetOut(engine.getSession().getPacketBufferSize());
                }
                else if (result.getStatus() == SSLEngineResult.Status.CLOSED)
                {
                    flushHandshake();
                    failLocked("the TLS session with " + peerAddress + " was closed during its handshake");
                    return;
                }
            }
            else
            {
                break;
            }
        }
        flushHandshake();
        if (state == State.HANDSHAKING && engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING)
        {
            established();
        }
    }

    private void flushHandshake()
    {
        if (netOut.position() > prefixLength())
        {
            final SendStatus status = publishNetOut();
            if (status != SendStatus.OK)
            {
                failLocked("the TLS handshake with " + peerAddress + " could not be sent: " + status);
            }
            startNetOut();
        }
    }

    /** The handshake ended: learn who the peer is, then send what waited. Holds sendLock. */
    private void established()
    {
        final PeerIdentity identity;
        try
        {
            final Certificate[] chain = engine.getSession().getPeerCertificates();
            identity = PeerIdentity.of((X509Certificate)chain[0]);
        }
        catch (final Exception ex)
        {
            failLocked("the peer at " + peerAddress + " has no usable certificate: " + ex.getMessage());
            return;
        }
        peer = identity;
        state = State.ESTABLISHED;
        listener.onEstablished(this);
        while (!queued.isEmpty())
        {
            final byte[] message = queued.poll();
            queuedCorrelationIds.removeAt(0);
            queuedBytes -= message.length;
            if (plainOut.capacity() < message.length)
            {
                plainOut = ByteBuffer.allocate(message.length);
                plainOutView.wrap(plainOut);
            }
            plainOutView.putBytes(0, message);
            if (sealAndPublish(message.length) != SendStatus.OK)
            {
                return;
            }
        }
        shrinkSendBuffers();
    }

    private void runTasks()
    {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null)
        {
            task.run();
        }
    }

    /** After a failure on unwrap the engine may hold an alert for the peer (why its certificate was refused). */
    private void sendAlert()
    {
        sendLock.lock();
        try
        {
            try
            {
                startNetOut();
                engine.closeOutbound();
                for (int i = 0; i < 4 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++)
                {
                    if (engine.wrap(EMPTY, netOut).getStatus() != SSLEngineResult.Status.OK)
                    {
                        break;
                    }
                }
                if (netOut.position() > prefixLength())
                {
                    publishNetOut();
                }
            }
            catch (final SSLException | RuntimeException ex)
            {
                // The failure that led here is what gets reported.
            }
        }
        finally
        {
            sendLock.unlock();
        }
    }

    /** Fails the session with {@code reason} unless it already failed. */
    public void fail(final String reason)
    {
        sendLock.lock();
        try
        {
            failLocked(reason);
        }
        finally
        {
            sendLock.unlock();
        }
        reportIfFailed();
    }

    private LongArrayList droppedToReport;
    private boolean failureReported;

    private void failLocked(final String reason)
    {
        if (state == State.FAILED)
        {
            return;
        }
        failure = reason;
        state = State.FAILED;
        droppedToReport = new LongArrayList();
        for (int i = 0; i < queuedCorrelationIds.size(); i++)
        {
            droppedToReport.addLong(queuedCorrelationIds.getLong(i));
        }
        queued.clear();
        queuedCorrelationIds.clear();
        queuedBytes = 0;
        backlog.clear();
        backlogBytes = 0;
        hasBacklog = false;
        engine.closeOutbound();
    }

    /** Tells the listener of a failure once, outside sendLock. */
    private void reportIfFailed()
    {
        // Without the lock while the session lives: the network thread calls this after every records message, and a
        // sender may hold the lock while it waits for the driver, which that thread runs in INVOKER mode.
        if (state != State.FAILED)
        {
            return;
        }
        final LongArrayList dropped;
        sendLock.lock();
        try
        {
            if (state != State.FAILED || failureReported)
            {
                return;
            }
            failureReported = true;
            dropped = droppedToReport;
        }
        finally
        {
            sendLock.unlock();
        }
        listener.onFailed(this, failure, dropped);
    }

    private int prefixLength()
    {
        return TlsRecordsDescriptor.ADDRESS_OFFSET + localAddress.length;
    }

    private void startNetOut()
    {
        netOut.clear();
        netOut.putShort((short)localAddress.length);
        netOut.put(localAddress);
    }

    /**
     * Publishes netOut as one message, or keeps it for later when the publication is back-pressured (in order,
     * behind what already waits). Holds sendLock. Returns OK when sent or kept, else why not (the caller fails
     * the session).
     */
    private SendStatus publishNetOut()
    {
        lastActiveNs = System.nanoTime();
        final int length = netOut.position();
        netOutView.wrap(netOut.array(), 0, length);
        // The prefix's length is little-endian on the wire; ByteBuffer wrote it big-endian.
        netOutView.putShort(TlsRecordsDescriptor.ADDRESS_LENGTH_OFFSET, (short)localAddress.length, LITTLE_ENDIAN);
        final long sequence = messagesPublished++;
        if (backlog.isEmpty())
        {
            final SendStatus status = output.send(this, netOutView, 0, length, tag(sequence, 0));
            if (!waitable(status))
            {
                return status;
            }
        }
        if (backlogBytes + length > BACKLOG_BYTES_MAX)
        {
            return SendStatus.BACK_PRESSURED;
        }
        final byte[] copy = new byte[length];
        netOutView.getBytes(0, copy);
        if (backlog.isEmpty())
        {
            backlogSinceNs = lastActiveNs;
        }
        backlog.add(new Backlogged(copy, sequence));
        backlogBytes += length;
        hasBacklog = true;
        return drainLocked();
    }

    /** Sends what waits, oldest first, until the publication refuses again. Holds sendLock. */
    private SendStatus drainLocked()
    {
        while (!backlog.isEmpty())
        {
            final Backlogged head = backlog.peek();
            head.attempts++;
            backlogView.wrap(head.bytes);
            final SendStatus status = output.send(this, backlogView, 0, head.bytes.length,
                tag(head.sequence, head.attempts));
            if (status == SendStatus.OK)
            {
                backlog.poll();
                backlogBytes -= head.bytes.length;
                backlogSinceNs = System.nanoTime();
            }
            else if (!waitable(status))
            {
                return status;
            }
            else if (System.nanoTime() - backlogSinceNs - backlogWaitMaxNs > 0)
            {
                return SendStatus.NOT_CONNECTED;
            }
            else
            {
                return SendStatus.OK;
            }
        }
        hasBacklog = false;
        return SendStatus.OK;
    }

    /**
     * Sends what waits for the publication, unless a sender holds the session (it sends the backlog first anyway).
     * The network thread, now and then: never waits for a lock.
     */
    public void drainBacklog()
    {
        if (!hasBacklog || state == State.FAILED || !sendLock.tryLock())
        {
            return;
        }
        try
        {
            final SendStatus status = drainLocked();
            if (status != SendStatus.OK)
            {
                failLocked("messages waiting for the publication to " + peerAddress + " could not be sent (" + status
                    + "); a new session is needed");
            }
        }
        finally
        {
            sendLock.unlock();
        }
        reportIfFailed();
    }

    /**
     * Back-pressure passes, and a peer that went silent (a pause, a GC, a starved network thread) may come back: such
     * messages wait, for at most the handshake timeout. A closed publication does not come back.
     */
    private static boolean waitable(final SendStatus status)
    {
        return status == SendStatus.BACK_PRESSURED || status == SendStatus.ADMIN_ACTION
            || status == SendStatus.NOT_CONNECTED;
    }

    private static long tag(final long sequence, final int attempt)
    {
        return (sequence << 8) | (attempt & 0xFF);
    }

    private void ensureNetOut(final int capacity)
    {
        if (netOut.capacity() < capacity)
        {
            netOut = ByteBuffer.allocate(capacity);
        }
    }

    private void growNetOut(final int extra)
    {
        final ByteBuffer larger = ByteBuffer.allocate(netOut.capacity() + extra);
        netOut.flip();
        larger.put(netOut);
        netOut = larger;
    }

    private void shrinkSendBuffers()
    {
        if (plainOut.capacity() > RETAINED_BYTES_MAX)
        {
            plainOut = ByteBuffer.allocate(4096);
            plainOutView.wrap(plainOut);
        }
        if (netOut.capacity() > RETAINED_BYTES_MAX)
        {
            netOut = ByteBuffer.allocate(prefixLength() + engine.getSession().getPacketBufferSize());
        }
    }

    private String describe(final Exception ex)
    {
        final StringBuilder text = new StringBuilder("TLS ").append(dialler ? "to " : "from ").append(peerAddress)
            .append(": ").append(ex.getMessage());
        for (Throwable cause = ex.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause())
        {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage()))
            {
                text.append("; ").append(cause.getMessage());
            }
        }
        return text.toString();
    }

    @Override
    public String toString()
    {
        return "TLS session " + Long.toHexString(id) + (dialler ? " to " : " from ") + peerAddress + " (" + state
            + (peer == null ? "" : ", " + peer) + ")";
    }
}
