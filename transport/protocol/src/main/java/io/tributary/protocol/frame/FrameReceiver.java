package io.tributary.protocol.frame;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;

import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;

/**
 * The receive path: validates each frame ({@link FrameDescriptor#validate}), hands whole
 * messages to a {@link FrameHandler} and fragments to a {@link Reassembler}. A bad frame is
 * dropped, counted and logged ({@link FrameErrors}); nothing here throws on bad input, and an
 * exception from the handler is counted as {@link FrameError#HANDLER_FAILED} instead of
 * escaping into Aeron's poll loop.
 * <p>
 * Poll a subscription with {@link #fragmentHandler()}: it wraps this receiver in Aeron's
 * {@link FragmentAssembler}, which joins frames Aeron split at the MTU (bounded by Aeron's max
 * message length, term length / 8). Not thread-safe: one polling thread (except
 * {@link #onImageUnavailable}, which may be called from any thread).
 */
public final class FrameReceiver implements FragmentHandler
{
    private final int messageLengthMax;
    private final FrameHandler handler;
    private final FrameErrors errors;
    private final Reassembler reassembler;
    private final NanoClock clock;
    private final FragmentAssembler assembler;
    private final ManyToOneConcurrentArrayQueue<Integer> closedSessions = new ManyToOneConcurrentArrayQueue<>(1024);
    private long framesReceived;
    private long messagesDelivered;

    public FrameReceiver(
        final int messageLengthMax,
        final Reassembler reassembler,
        final FrameErrors errors,
        final NanoClock clock,
        final FrameHandler handler)
    {
        this.messageLengthMax = messageLengthMax;
        this.reassembler = reassembler;
        this.errors = errors;
        this.clock = clock;
        this.handler = handler;
        this.assembler = new FragmentAssembler(this);
    }

    /** The handler to poll a subscription with (joins Aeron's MTU fragments, then calls this receiver). */
    public FragmentHandler fragmentHandler()
    {
        return assembler;
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        onFrame(header.sessionId(), buffer, offset, length);
    }

    /**
     * Handles one frame from {@code sourceId}. Never throws.
     */
    public void onFrame(final long sourceId, final DirectBuffer buffer, final int offset, final int length)
    {
        framesReceived++;
        final FrameError error = FrameDescriptor.validate(buffer, offset, length, messageLengthMax);
        if (error != FrameError.NONE)
        {
            errors.record(error, sourceId, describe(buffer, offset, length));
            return;
        }
        try
        {
            if (FrameDescriptor.flags(buffer, offset) == (FrameDescriptor.UNFRAGMENTED & 0xFF))
            {
                messagesDelivered++;
                handler.onMessage(sourceId,
                    MessageType.get(FrameDescriptor.typeId(buffer, offset)),
                    FrameDescriptor.correlationId(buffer, offset),
                    FrameDescriptor.groupIdMsb(buffer, offset),
                    FrameDescriptor.groupIdLsb(buffer, offset),
                    buffer,
                    offset + FrameDescriptor.HEADER_LENGTH,
                    FrameDescriptor.payloadLength(buffer, offset));
            }
            else
            {
                final long before = reassembler.messagesReassembled();
                reassembler.onFragment(sourceId, buffer, offset, clock.nanoTime(), handler);
                messagesDelivered += reassembler.messagesReassembled() - before;
            }
        }
        catch (final RuntimeException | AssertionError ex)
        {
            errors.record(FrameError.HANDLER_FAILED, sourceId, ex + " on " + describe(buffer, offset, length));
        }
    }

    /** Drops partial messages without progress; call every few milliseconds from the polling thread. */
    public int expire()
    {
        drainClosedSessions();
        return reassembler.expire(clock.nanoTime());
    }

    /**
     * Pass to {@code Aeron.addSubscription(channel, stream, available, unavailable)} as the
     * unavailable handler. Aeron calls it on its client conductor thread, so the session is only
     * queued here; the polling thread frees its buffers in {@link #expire()}. If the queue is full
     * the reassembly timeout frees them instead.
     */
    public void onImageUnavailable(final Image image)
    {
        closedSessions.offer(image.sessionId());
    }

    private int drainClosedSessions()
    {
        int drained = 0;
        Integer sessionId;
        while ((sessionId = closedSessions.poll()) != null)
        {
            assembler.freeSessionBuffer(sessionId);
            reassembler.removeSource(sessionId);
            drained++;
        }
        return drained;
    }

    public long framesReceived()
    {
        return framesReceived;
    }

    public long messagesDelivered()
    {
        return messagesDelivered;
    }

    public FrameErrors errors()
    {
        return errors;
    }

    public Reassembler reassembler()
    {
        return reassembler;
    }

    /** What a bad frame looked like: the header fields that could be read, for the log. */
    static String describe(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < FrameDescriptor.HEADER_LENGTH)
        {
            return "frame of " + length + " bytes, header needs " + FrameDescriptor.HEADER_LENGTH;
        }
        return "frame of " + length + " bytes: version " + FrameDescriptor.version(buffer, offset)
            + " (expected " + FrameDescriptor.VERSION + "), type " + FrameDescriptor.typeId(buffer, offset)
            + ", flags 0x" + Integer.toHexString(FrameDescriptor.flags(buffer, offset))
            + ", reserved " + FrameDescriptor.reserved(buffer, offset)
            + ", payload length " + FrameDescriptor.payloadLength(buffer, offset)
            + ", message length " + FrameDescriptor.messageLength(buffer, offset)
            + ", fragment offset " + FrameDescriptor.fragmentOffset(buffer, offset)
            + ", correlation " + FrameDescriptor.correlationId(buffer, offset);
    }
}
