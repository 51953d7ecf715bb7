package io.tributary.protocol.frame;

import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.aeron.IdleStrategies;
import io.tributary.protocol.aeron.NetworkLoop;

/**
 * The send path: frames messages onto one Aeron publication.
 * <ul>
 * <li>a frame that fits one MTU ({@code publication.maxPayloadLength()}) is encoded in place
 *     into a {@link BufferClaim}: no copy;</li>
 * <li>a larger message is encoded once into a scratch buffer and offered as header plus payload
 *     slice (Aeron's two-part offer, no further copy), as one frame up to the frame limit
 *     ({@code frame.bytes.max}, at most Aeron's max message length), else as fragments of at
 *     most that size, which the receiver's {@link Reassembler} joins;</li>
 * <li>back-pressure, not-connected and admin-action results are retried with an idle strategy,
 *     at most {@code offer.retries.max} times and for {@code offer.timeout.ms} without progress
 *     (the budget restarts when a fragment is accepted), then returned as a {@link SendStatus};
 *     once a send to a receiver that had joined has failed NOT_CONNECTED, later sends fail at once
 *     until the receiver is back (one wait per outage, not one per send);
 *     a publication that never sent a message waits for its receiver's handshake for
 *     {@code offer.timeout.ms} whatever the count. Nothing is queued here: the only buffer between sender
 *     and receiver is Aeron's term buffer (bounded by the term length), so a receiver that stops
 *     reading cannot make a sender run out of memory.</li>
 * </ul>
 * A message that fails mid-way leaves its first fragments at the receiver, which drops them at
 * the next first fragment or after {@code reassembly.timeout.ms}.
 * <p>
 * Thread-safe: sends are serialized by a lock (fragments of two messages never interleave). A send holds the lock for
 * at most one retry budget per fragment, and fails after one budget without progress. The scratch buffer grows to the
 * largest message sent (at most {@code message.bytes.max}) and is kept.
 */
public final class FramedPublication implements AutoCloseable
{
    /**
     * Turns the network thread spins (running the driver) for the send lock before it parks between turns: a holder
     * encoding a message needs microseconds, one waiting for room needs the driver.
     */
    private static final int LOCK_SPINS_BEFORE_PARK = 100;
    /** Bytes one publication keeps for its first handshake; past it a send fails NOT_CONNECTED at once. */
    public static final int AWAITING_HANDSHAKE_BYTES_MAX = 1 << 20;

    /**
     * Serializes sends (a message's fragments never interleave with another's). A lock rather than a monitor so the
     * network thread, which runs the driver in INVOKER mode, never parks behind a send that waits for that driver:
     * it runs the driver while it waits ({@link #lockForSend}) or skips the send ({@link #sendIfIdle},
     * {@link #flushAwaitingHandshake}).
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final Publication publication;
    private final boolean ownsPublication;
    private final int messageLengthMax;
    private final int frameLengthMax;
    private final int claimLengthMax;
    private final int retriesMax;
    private final long retryTimeoutNs;
    private final NanoClock clock;
    private final IdleStrategy retryIdle;
    private final BufferClaim claim = new BufferClaim();
    private final UnsafeBuffer header = new UnsafeBuffer(new byte[FrameDescriptor.HEADER_LENGTH]);
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(0);
    private final DirectEncoder directEncoder = new DirectEncoder();
    private final NetworkLoop network;
    /**
     * Frames sent before this publication's first handshake, oldest first: the network loop sends them
     * once the receiver has joined ({@link #flushAwaitingHandshake}), or drops them at the handshake
     * deadline. Nobody waits for a handshake: a request whose reply-to address nobody listens on used to
     * hold the sending thread (the network thread, for the front end's errors) for the whole deadline.
     */
    private final ArrayDeque<byte[]> awaitingHandshake = new ArrayDeque<>();
    private final UnsafeBuffer awaitingView = new UnsafeBuffer(0, 0);
    private final NetworkLoop.Pollable handshakeFlusher = this::flushAwaitingHandshake;
    private final long handshakeDeadlineNs;
    private long awaitingBytes;
    private boolean flusherRegistered;
    private long droppedAwaitingHandshake;
    private LongConsumer onDroppedBeforeHandshake;

    private int retriesLeft;
    /** A message went out once: the receiver joined this publication's stream at least once. */
    private boolean everConnected;
    /**
     * A send to the receiver, once joined, has waited out its retry budget NOT_CONNECTED, and the
     * publication has not counted as connected since: the peer is gone. Sends then fail at once until
     * the driver sees the receiver again (it keeps offering setup frames meanwhile), so a dead peer costs
     * one budget, not one per send: sends hold this object's lock, and every caller sending to a dead
     * node used to wait out its own budget behind the others' (ten client threads: ten seconds).
     */
    private volatile boolean peerGone;
    private long sendsRefusedPeerGone;
    private long retryDeadlineNs;
    private long messagesSent;
    private long framesSent;
    private long retries;
    private long failures;

    /**
     * @param ownsPublication close the publication with this object.
     */
    public FramedPublication(
        final Publication publication, final boolean ownsPublication, final AeronTransportConfig config,
            final NanoClock clock)
    {
        this(publication, ownsPublication, config, clock, null);
    }

    /**
     * @param network the process's network thread, woken after each send so the driver sends at once
     *                (and run by a send on that thread that meets back-pressure); null when no loop drives the driver.
     */
    public FramedPublication(
        final Publication publication, final boolean ownsPublication, final AeronTransportConfig config,
            final NanoClock clock,
        final NetworkLoop network)
    {
        config.validate();
        this.network = network;
        this.publication = publication;
        this.ownsPublication = ownsPublication;
        this.messageLengthMax = config.messageBytesMax();
        this.frameLengthMax = Math.min(config.frameBytesMax(), publication.maxMessageLength());
        this.claimLengthMax = Math.min(publication.maxPayloadLength(), frameLengthMax);
        this.retriesMax = config.offerRetriesMax();
        this.retryTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.offerTimeoutMs());
        this.clock = clock;
        this.handshakeDeadlineNs = clock.nanoTime() + retryTimeoutNs;
        this.retryIdle = IdleStrategies.create(config.pollerIdleStrategy());
        if (frameLengthMax <= FrameDescriptor.HEADER_LENGTH)
        {
            throw new IllegalArgumentException("Aeron transport: frame limit " + frameLengthMax
                + " (publication max message " + publication.maxMessageLength() + ") leaves no room after the "
                + FrameDescriptor.HEADER_LENGTH + "-byte header");
        }
    }

    /**
     * Sends {@code message} encoded by {@code encoder} (one shared encoder per message type).
     *
     * @return {@link SendStatus#OK} once every frame is in the publication, else why not.
     */
    public <M> SendStatus send(
        final MessageType type,
        final long correlationId,
        final long groupIdMsb,
        final long groupIdLsb,
        final M message,
        final PayloadEncoder<M> encoder)
    {
        lockForSend();
        try
        {
            final int length = encoder.encodedLength(message);
            if (length < 0 || length > messageLengthMax)
            {
                failures++;
                return SendStatus.MESSAGE_TOO_LARGE;
            }
            if (peerStillGone())
            {
                return SendStatus.NOT_CONNECTED;
            }
            final SendStatus beforeHandshake = beforeHandshake();
            if (beforeHandshake == null && FrameDescriptor.HEADER_LENGTH + length <= claimLengthMax)
            {
                startRetryBudget();
                return counted(claimAndEncode(type, correlationId, groupIdMsb, groupIdLsb, message, encoder, length));
            }
            if (beforeHandshake != null && beforeHandshake != SendStatus.OK)
            {
                failures++;
                return beforeHandshake;
            }
            scratch.checkLimit(length);
            try
            {
                encoder.encode(message, scratch, 0, length);
            }
            catch (final RuntimeException ex)
            {
                failures++;
                return SendStatus.ENCODE_FAILED;
            }
            if (beforeHandshake == SendStatus.OK)
            {
                return awaitHandshake(type, correlationId, groupIdMsb, groupIdLsb, scratch, 0, length);
            }
            startRetryBudget();
            return counted(offerFragments(type, correlationId, groupIdMsb, groupIdLsb, scratch, 0, length));
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Sends {@code length} bytes of {@code payload} as one message.
     */
    public SendStatus send(
        final MessageType type,
        final long correlationId,
        final long groupIdMsb,
        final long groupIdLsb,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        lockForSend();
        try
        {
            if (length < 0 || length > messageLengthMax)
            {
                failures++;
                return SendStatus.MESSAGE_TOO_LARGE;
            }
            if (peerStillGone())
            {
                return SendStatus.NOT_CONNECTED;
            }
            final SendStatus beforeHandshake = beforeHandshake();
            if (beforeHandshake == SendStatus.OK)
            {
                return awaitHandshake(type, correlationId, groupIdMsb, groupIdLsb, payload, offset, length);
            }
            if (beforeHandshake != null)
            {
                failures++;
                return beforeHandshake;
            }
            startRetryBudget();
            if (FrameDescriptor.HEADER_LENGTH + length <= claimLengthMax)
            {
                directEncoder.wrap(payload, offset, length);
                return counted(claimAndEncode(type, correlationId, groupIdMsb, groupIdLsb, directEncoder, directEncoder,
                    length));
            }
            return counted(offerFragments(type, correlationId, groupIdMsb, groupIdLsb, payload, offset, length));
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * As {@link #send(MessageType, long, long, long, DirectBuffer, int, int)}, unless another thread is sending on this
     * publication: then nothing is sent and BACK_PRESSURED is returned at once. For the network thread, which in
     * INVOKER mode runs the driver that such a sender may be waiting for (with the wait, both waited out the sender's
     * retry budget while the driver stood still), and for messages that may be dropped (a session reset is sent
     * again with the peer's next records).
     */
    public SendStatus sendIfIdle(
        final MessageType type,
        final long correlationId,
        final long groupIdMsb,
        final long groupIdLsb,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        if (!lock.tryLock())
        {
            return SendStatus.BACK_PRESSURED;
        }
        try
        {
            return send(type, correlationId, groupIdMsb, groupIdLsb, payload, offset, length);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Takes the send lock. The network thread never parks for it: in INVOKER mode it runs the driver, and the
     * holder may be waiting for room only the driver makes (both then waited out the holder's retry budget with
     * the driver standing still). Replies complete on that thread, and what they complete sends again (Ratis's
     * async client resends, an appender's next request), so any send may come from it: it runs the driver while
     * it waits.
     */
    private void lockForSend()
    {
        if (network == null || !network.isLoopThread())
        {
            lock.lock();
            return;
        }
        int spins = 0;
        while (!lock.tryLock())
        {
            network.waitForHolder(++spins > LOCK_SPINS_BEFORE_PARK);
        }
    }

    /** Whether a thread is sending on this publication now (for tests). */
    boolean sending()
    {
        return lock.isLocked();
    }

    /**
     * Null to send now; OK to queue the message for the first handshake (a network loop runs the queue);
     * NOT_CONNECTED when the handshake deadline passed without one, or the queue is full.
     */
    private SendStatus beforeHandshake()
    {
        if (network == null || (everConnected && awaitingHandshake.isEmpty()))
        {
            return null;
        }
        if (awaitingHandshake.isEmpty() && publication.isConnected())
        {
            return null;
        }
        return clock.nanoTime() - handshakeDeadlineNs >= 0 && awaitingHandshake.isEmpty() ? SendStatus.NOT_CONNECTED
            : SendStatus.OK;
    }

    /**
     * Queues the message's frames until the first handshake; the network loop sends them ({@link
     * #flushAwaitingHandshake}).
     */
    private SendStatus awaitHandshake(final MessageType type, final long correlationId, final long groupIdMsb,
        final long groupIdLsb,
        final DirectBuffer payload, final int offset, final int length)
    {
        final int chunkMax = frameLengthMax - FrameDescriptor.HEADER_LENGTH;
        final int frames = Math.max(1, (length + chunkMax - 1) / chunkMax);
        final long bytes = (long)frames * FrameDescriptor.HEADER_LENGTH + length;
        if (awaitingBytes + bytes > AWAITING_HANDSHAKE_BYTES_MAX)
        {
            failures++;
            return SendStatus.NOT_CONNECTED;
        }
        int fragmentOffset = 0;
        do
        {
            final int chunk = Math.min(chunkMax, length - fragmentOffset);
            final byte flags = fragmentFlags(fragmentOffset, chunk, length);
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[FrameDescriptor.HEADER_LENGTH + chunk]);
            FrameDescriptor.writeHeader(frame, 0, type, flags, chunk, correlationId, groupIdMsb, groupIdLsb, length,
                fragmentOffset);
            frame.putBytes(FrameDescriptor.HEADER_LENGTH, payload, offset + fragmentOffset, chunk);
            awaitingHandshake.addLast(frame.byteArray());
            fragmentOffset += chunk;
        }
        while (fragmentOffset < length);
        awaitingBytes += bytes;
        messagesSent++;
        if (!flusherRegistered)
        {
            flusherRegistered = true;
            network.register(handshakeFlusher);
        }
        network.wake();
        return SendStatus.OK;
    }

    /**
     * On the network loop, every turn while frames await the first handshake: sends them once the
     * receiver has joined, drops them at the deadline (the requester is gone, or never listened).
     */
    private int flushAwaitingHandshake(final long nowNs)
    {
        // The network thread: a sender holding the lock may be waiting for the driver this thread runs; next turn.
        if (!lock.tryLock())
        {
            return 0;
        }
        try
        {
            int sent = 0;
            if (publication.isConnected())
            {
                while (!awaitingHandshake.isEmpty())
                {
                    final byte[] frame = awaitingHandshake.peekFirst();
                    awaitingView.wrap(frame);
                    if (publication.offer(awaitingView, 0, frame.length) <= 0)
                    {
                        break;
                    }
                    awaitingHandshake.pollFirst();
                    awaitingBytes -= frame.length;
                    framesSent++;
                    everConnected = true;
                    sent++;
                }
            }
            else if (nowNs - handshakeDeadlineNs >= 0)
            {
                droppedAwaitingHandshake += awaitingHandshake.size();
                failures += awaitingHandshake.size();
                final LongConsumer listener = onDroppedBeforeHandshake;
                for (final byte[] frame : awaitingHandshake)
                {
                    awaitingView.wrap(frame);
                    if (listener != null &&
                        (awaitingView.getByte(FrameDescriptor.FLAGS_OFFSET) & FrameDescriptor.BEGIN_FLAG) != 0)
                    {
                        listener.accept(awaitingView.getLong(FrameDescriptor.CORRELATION_ID_OFFSET,
                            ByteOrder.LITTLE_ENDIAN));
                    }
                }
                awaitingHandshake.clear();
                awaitingBytes = 0;
            }
            if (awaitingHandshake.isEmpty() && flusherRegistered)
            {
                flusherRegistered = false;
                network.deregister(handshakeFlusher);
            }
            return sent;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Called on the network loop with the correlation id of each message dropped because the receiver never
     * joined before the handshake deadline (a call then fails at once instead of waiting out its timeout).
     */
    public void onDroppedBeforeHandshake(final LongConsumer listener)
    {
        lock.lock();
        try
        {
            this.onDroppedBeforeHandshake = listener;
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Frames dropped because the receiver never joined before the handshake deadline. */
    public long droppedAwaitingHandshake()
    {
        lock.lock();
        try
        {
            return droppedAwaitingHandshake;
        }
        finally
        {
            lock.unlock();
        }
    }

    /** True (and the send counted as failed) while the peer is gone: see {@link #peerGone}. */
    private boolean peerStillGone()
    {
        if (!peerGone)
        {
            return false;
        }
        if (publication.isConnected())
        {
            peerGone = false;
            return false;
        }
        failures++;
        sendsRefusedPeerGone++;
        return true;
    }

    /**
     * Whether the peer, once joined, is gone now: a send has failed NOT_CONNECTED since it was last
     * seen and the driver has not seen it since. Any thread, without the send lock.
     */
    public boolean peerGone()
    {
        return peerGone && !publication.isConnected();
    }

    /** Sends refused at once because the peer was gone (for tests and statistics). */
    public long sendsRefusedPeerGone()
    {
        lock.lock();
        try
        {
            return sendsRefusedPeerGone;
        }
        finally
        {
            lock.unlock();
        }
    }

    private SendStatus counted(final SendStatus status)
    {
        if (status == SendStatus.NOT_CONNECTED && everConnected)
        {
            peerGone = true;
        }
        if (status == SendStatus.OK)
        {
            everConnected = true;
            messagesSent++;
            if (network != null)
            {
                network.wake();
            }
        }
        else
        {
            failures++;
        }
        return status;
    }

    private <M> SendStatus claimAndEncode(
        final MessageType type,
        final long correlationId,
        final long groupIdMsb,
        final long groupIdLsb,
        final M message,
        final PayloadEncoder<M> encoder,
        final int length)
    {
        final int frameLength = FrameDescriptor.HEADER_LENGTH + length;
        while (true)
        {
            final long result = publication.tryClaim(frameLength, claim);
            if (result > 0)
            {
                final MutableDirectBuffer buffer = claim.buffer();
                final int offset = claim.offset();
                try
                {
                    FrameDescriptor.writeHeader(buffer, offset, type, FrameDescriptor.UNFRAGMENTED, length,
                        correlationId,
                        groupIdMsb, groupIdLsb, length, 0);
                    encoder.encode(message, buffer, offset + FrameDescriptor.HEADER_LENGTH, length);
                }
                catch (final RuntimeException ex)
                {
                    claim.abort();
                    return SendStatus.ENCODE_FAILED;
                }
                claim.commit();
                framesSent++;
                return SendStatus.OK;
            }
            final SendStatus status = retryOrFail(result);
            if (status != null)
            {
                return status;
            }
        }
    }

    private SendStatus offerFragments(
        final MessageType type,
        final long correlationId,
        final long groupIdMsb,
        final long groupIdLsb,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        final int chunkMax = frameLengthMax - FrameDescriptor.HEADER_LENGTH;
        FrameDescriptor.writeHeader(header, 0, type, FrameDescriptor.UNFRAGMENTED, 0, correlationId, groupIdMsb,
            groupIdLsb, length, 0);
        int fragmentOffset = 0;
        do
        {
            final int chunk = Math.min(chunkMax, length - fragmentOffset);
            final byte flags = fragmentFlags(fragmentOffset, chunk, length);
            FrameDescriptor.writeFragment(header, 0, flags, chunk, fragmentOffset);
            if (fragmentOffset > 0)
            {
                // The budget bounds time without progress: a receiver that keeps reading lets a large message through.
                startRetryBudget();
            }
            final SendStatus status = offer(payload, offset + fragmentOffset, chunk);
            if (status != SendStatus.OK)
            {
                return status;
            }
            fragmentOffset += chunk;
        }
        while (fragmentOffset < length);
        return SendStatus.OK;
    }

    /** BEGIN on a message's first fragment, END on its last (both on a message in one frame). */
    private static byte fragmentFlags(final int fragmentOffset, final int chunk, final int length)
    {
        byte flags = 0;
        if (fragmentOffset == 0)
        {
            flags |= FrameDescriptor.BEGIN_FLAG;
        }
        if (fragmentOffset + chunk == length)
        {
            flags |= FrameDescriptor.END_FLAG;
        }
        return flags;
    }

    private SendStatus offer(final DirectBuffer payload, final int offset, final int length)
    {
        while (true)
        {
            final long result = publication.offer(header, 0, FrameDescriptor.HEADER_LENGTH, payload, offset, length);
            if (result > 0)
            {
                framesSent++;
                return SendStatus.OK;
            }
            final SendStatus status = retryOrFail(result);
            if (status != null)
            {
                return status;
            }
        }
    }

    private void startRetryBudget()
    {
        retriesLeft = retriesMax;
        retryDeadlineNs = 0;
        retryIdle.reset();
    }

    /**
     * @return null to try again (after idling), or the status to return.
     */
    private SendStatus retryOrFail(final long result)
    {
        final SendStatus status = status(result);
        if (!status.isTransient())
        {
            return status;
        }
        // The clock is read only once a message meets back-pressure: the fast path never reads it.
        final long nowNs = clock.nanoTime();
        if (retryDeadlineNs == 0)
        {
            retryDeadlineNs = nowNs + retryTimeoutNs;
        }
        // A publication never connected waits for its receiver's handshake, a network round trip through both
        // drivers however fast the retries go: on the network thread (the driver run once per retry) the retry
        // count ran out in 2 ms, and the first reply to a requester went nowhere (the requester then waited out
        // its timeout). Only the time bounds that wait; a peer that was connected and went silent fails fast.
        final boolean awaitingHandshake = status == SendStatus.NOT_CONNECTED && !everConnected;
        if ((retriesLeft <= 0 && !awaitingHandshake) || nowNs - retryDeadlineNs >= 0)
        {
            return status;
        }
        retriesLeft--;
        retries++;
        if (network != null)
        {
            network.idleWhileBackPressured(retryIdle);
        }
        else
        {
            retryIdle.idle();
        }
        return null;
    }

    static SendStatus status(final long result)
    {
        if (result == Publication.NOT_CONNECTED)
        {
            return SendStatus.NOT_CONNECTED;
        }
        if (result == Publication.BACK_PRESSURED)
        {
            return SendStatus.BACK_PRESSURED;
        }
        if (result == Publication.ADMIN_ACTION)
        {
            return SendStatus.ADMIN_ACTION;
        }
        if (result == Publication.CLOSED)
        {
            return SendStatus.CLOSED;
        }
        if (result == Publication.MAX_POSITION_EXCEEDED)
        {
            return SendStatus.MAX_POSITION_EXCEEDED;
        }
        throw new IllegalStateException("unknown Aeron publication result " + result
            + "; is the Aeron client newer than " + "this transport knows?");
    }

    public Publication publication()
    {
        return publication;
    }

    public boolean isConnected()
    {
        return publication.isConnected();
    }

    /** Frames up to this length (header included) are encoded in place with tryClaim. */
    public int claimLengthMax()
    {
        return claimLengthMax;
    }

    /** Frames longer than this are split into fragments. */
    public int frameLengthMax()
    {
        return frameLengthMax;
    }

    public long messagesSent()
    {
        lock.lock();
        try
        {
            return messagesSent;
        }
        finally
        {
            lock.unlock();
        }
    }

    public long framesSent()
    {
        lock.lock();
        try
        {
            return framesSent;
        }
        finally
        {
            lock.unlock();
        }
    }

    public long retries()
    {
        lock.lock();
        try
        {
            return retries;
        }
        finally
        {
            lock.unlock();
        }
    }

    public long failures()
    {
        lock.lock();
        try
        {
            return failures;
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Capacity of the scratch buffer: the largest message sent that did not fit one MTU. */
    public int scratchCapacity()
    {
        lock.lock();
        try
        {
            return scratch.capacity();
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public void close()
    {
        lock.lock();
        try
        {
            if (flusherRegistered)
            {
                flusherRegistered = false;
                network.deregister(handshakeFlusher);
            }
            awaitingHandshake.clear();
            awaitingBytes = 0;
            if (ownsPublication)
            {
                publication.close();
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Copies raw bytes into a claimed frame; the one instance is reused under the lock. */
    private static final class DirectEncoder implements PayloadEncoder<DirectEncoder>
    {
        private DirectBuffer source;
        private int sourceOffset;
        private int sourceLength;

        void wrap(final DirectBuffer source, final int sourceOffset, final int sourceLength)
        {
            this.source = source;
            this.sourceOffset = sourceOffset;
            this.sourceLength = sourceLength;
        }

        @Override
        public int encodedLength(final DirectEncoder message)
        {
            return message.sourceLength;
        }

        @Override
        public void encode(final DirectEncoder message, final MutableDirectBuffer buffer, final int offset,
            final int length)
        {
            buffer.putBytes(offset, source, sourceOffset, length);
        }
    }
}
