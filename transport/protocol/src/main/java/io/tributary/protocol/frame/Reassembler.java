package io.tributary.protocol.frame;

import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Puts fragmented messages back together, one message in progress per source (an Aeron image).
 * <p>
 * Policy (why: Aeron delivers the frames of one image reliably and in order, and a
 * {@link FramedPublication} sends the fragments of a message back to back under its lock, so
 * anything else means the sender gave up mid-message or the frames are not ours):
 * <ul>
 * <li>fragments must arrive in order; a duplicate (same message, a range already received) is
 *     ignored; a gap, an overlap or a fragment of another message drops the message;</li>
 * <li>a new first fragment drops an incomplete message from the same source;</li>
 * <li>{@link #expire(long)} drops messages without progress for {@code timeoutNs};</li>
 * <li>memory: a message reserves its full length at its first fragment, and the reservations of
 *     all sources plus the buffers kept for reuse stay within {@code bytesMax}; at most
 *     {@code sourcesMax} sources at once. A refused message is dropped and counted, never queued.</li>
 * </ul>
 * Every drop is counted in {@link FrameErrors} and logged (bounded). Buffers up to
 * {@value #RETAINED_BUFFER_BYTES_MAX} bytes are kept per source for reuse, so steady traffic of
 * moderately large messages allocates nothing; larger ones get a buffer for their duration.
 * <p>
 * Not thread-safe: one polling thread. Time is an argument ({@code nowNs}) so tests drive it.
 */
public final class Reassembler
{
    public static final int RETAINED_BUFFER_BYTES_MAX = 1024 * 1024;

    private final int messageLengthMax;
    private final long bytesMax;
    private final int sourcesMax;
    /** How many times the timeout a partial TLS_RECORDS message waits for its next fragment. */
    static final int TLS_RECORDS_TIMEOUT_FACTOR = 6;

    private final long timeoutNs;
    private final FrameErrors errors;
    private final Long2ObjectHashMap<Slot> slots = new Long2ObjectHashMap<>();
    private final List<Slot> expired = new ArrayList<>();
    private long bytesUsed;
    private long messagesReassembled;

    private static final class Slot
    {
        final long sourceId;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
        boolean inProgress;
        MessageType type;
        long correlationId;
        long groupIdMsb;
        long groupIdLsb;
        int messageLength;
        int nextOffset;
        long lastActivityNs;

        Slot(final long sourceId)
        {
            this.sourceId = sourceId;
        }

        boolean sameMessage(
            final MessageType type, final long correlationId, final long groupIdMsb, final long groupIdLsb,
                final int messageLength)
        {
            return this.type == type && this.correlationId == correlationId && this.groupIdMsb == groupIdMsb
                && this.groupIdLsb == groupIdLsb && this.messageLength == messageLength;
        }

        int capacity()
        {
            return buffer.capacity();
        }
    }

    /**
     * @param messageLengthMax largest message accepted (frames were validated against it).
     * @param bytesMax         memory for all messages in progress and buffers kept; at least {@code messageLengthMax}.
     * @param sourcesMax       sources with a slot at once.
     * @param timeoutNs        a message without progress for this long is dropped by {@link #expire}.
     */
    public Reassembler(
        final int messageLengthMax, final long bytesMax, final int sourcesMax, final long timeoutNs,
            final FrameErrors errors)
    {
        if (messageLengthMax < 1 || bytesMax < messageLengthMax || sourcesMax < 1 || timeoutNs < 1)
        {
            throw new IllegalArgumentException("Reassembler: need 1 <= messageLengthMax(" + messageLengthMax
                + ") <= bytesMax("
                + bytesMax + "), sourcesMax(" + sourcesMax + ") >= 1, timeoutNs(" + timeoutNs + ") >= 1");
        }
        this.messageLengthMax = messageLengthMax;
        this.bytesMax = bytesMax;
        this.sourcesMax = sourcesMax;
        this.timeoutNs = timeoutNs;
        this.errors = errors;
    }

    /**
     * Takes one fragment of a frame that {@link FrameDescriptor#validate} accepted and that is
     * not a whole message; calls {@code handler} when it completes a message.
     */
    public void onFragment(
        final long sourceId,
        final DirectBuffer frame,
        final int frameOffset,
        final long nowNs,
        final FrameHandler handler)
    {
        final MessageType type = MessageType.get(FrameDescriptor.typeId(frame, frameOffset));
        final int flags = FrameDescriptor.flags(frame, frameOffset);
        final long correlationId = FrameDescriptor.correlationId(frame, frameOffset);
        final long msb = FrameDescriptor.groupIdMsb(frame, frameOffset);
        final long lsb = FrameDescriptor.groupIdLsb(frame, frameOffset);
        final int messageLength = FrameDescriptor.messageLength(frame, frameOffset);
        final int fragmentOffset = FrameDescriptor.fragmentOffset(frame, frameOffset);
        final int payloadLength = FrameDescriptor.payloadLength(frame, frameOffset);
        assert type != null && messageLength <= messageLengthMax : "frame not validated";
        final int payloadOffset = frameOffset + FrameDescriptor.HEADER_LENGTH;

        Slot slot = slots.get(sourceId);
        if (FrameDescriptor.isBegin(flags))
        {
            if (slot != null && slot.inProgress)
            {
                if (slot.sameMessage(type, correlationId, msb, lsb, messageLength) && slot.nextOffset >= payloadLength)
                {
                    errors.record(FrameError.FRAGMENT_DUPLICATE, sourceId, "first fragment again, correlation "
                        + correlationId);
                    return;
                }
                drop(slot, FrameError.REASSEMBLY_INCOMPLETE, "had " + slot.nextOffset + " of " + slot.messageLength
                    + " bytes of correlation " + slot.correlationId + ", new message correlation " + correlationId);
            }
            slot = begin(slot, sourceId, type, correlationId, msb, lsb, messageLength, nowNs);
            if (slot == null)
            {
                return;
            }
        }
        else if (!continues(slot, sourceId, type, correlationId, msb, lsb, messageLength, fragmentOffset,
            payloadLength))
        {
            return;
        }
        slot.buffer.putBytes(fragmentOffset, frame, payloadOffset, payloadLength);
        slot.nextOffset = fragmentOffset + payloadLength;
        slot.lastActivityNs = nowNs;
        if (FrameDescriptor.isEnd(flags))
        {
            complete(slot, handler);
        }
    }

    private Slot begin(
        final Slot existing,
        final long sourceId,
        final MessageType type,
        final long correlationId,
        final long msb,
        final long lsb,
        final int messageLength,
        final long nowNs)
    {
        Slot slot = existing;
        if (slot == null)
        {
            if (slots.size() >= sourcesMax)
            {
                errors.record(FrameError.REASSEMBLY_TOO_MANY_SOURCES, sourceId,
                    slots.size() + " sources in reassembly, limit " + sourcesMax + "; correlation " + correlationId);
                return null;
            }
            slot = new Slot(sourceId);
            slots.put(sourceId, slot);
        }
        if (!reserve(slot, messageLength))
        {
            errors.record(FrameError.REASSEMBLY_NO_MEMORY, sourceId, "message of " + messageLength + " bytes, "
                + bytesUsed + " of " + bytesMax + " bytes in use; correlation " + correlationId);
            return null;
        }
        slot.inProgress = true;
        slot.type = type;
        slot.correlationId = correlationId;
        slot.groupIdMsb = msb;
        slot.groupIdLsb = lsb;
        slot.messageLength = messageLength;
        slot.nextOffset = 0;
        slot.lastActivityNs = nowNs;
        return slot;
    }

    private boolean continues(
        final Slot slot,
        final long sourceId,
        final MessageType type,
        final long correlationId,
        final long msb,
        final long lsb,
        final int messageLength,
        final int fragmentOffset,
        final int payloadLength)
    {
        if (slot == null || !slot.inProgress)
        {
            errors.record(FrameError.FRAGMENT_ORPHAN, sourceId, "fragment at " + fragmentOffset + " of " + messageLength
                + " bytes, correlation " + correlationId);
            return false;
        }
        if (!slot.sameMessage(type, correlationId, msb, lsb, messageLength))
        {
            drop(slot, FrameError.FRAGMENT_MISMATCH, "in reassembly: " + slot.type + " correlation "
                + slot.correlationId + " ("
                + slot.messageLength + " bytes); fragment of " + type + " correlation " + correlationId + " ("
                    + messageLength + " bytes)");
            return false;
        }
        if (fragmentOffset + payloadLength <= slot.nextOffset)
        {
            errors.record(FrameError.FRAGMENT_DUPLICATE, sourceId, "bytes [" + fragmentOffset + ", "
                + (fragmentOffset + payloadLength)
                + ") already received (" + slot.nextOffset + "), correlation " + correlationId);
            return false;
        }
        if (fragmentOffset != slot.nextOffset)
        {
            drop(slot, FrameError.FRAGMENT_GAP, "expected offset " + slot.nextOffset + ", found " + fragmentOffset
                + " of " + messageLength + " bytes, correlation " + correlationId);
            return false;
        }
        return true;
    }

    private boolean reserve(final Slot slot, final int messageLength)
    {
        // The slot's kept buffer is already counted; only growth costs more.
        final int capacity = slot.capacity();
        if (messageLength <= capacity)
        {
            return true;
        }
        final long growth = (long)messageLength - capacity;
        if (bytesUsed + growth > bytesMax)
        {
            releaseIdleBuffers();
            if (bytesUsed + growth > bytesMax)
            {
                return false;
            }
        }
        slot.buffer.wrap(new byte[messageLength]);
        bytesUsed += growth;
        return true;
    }

    private void releaseIdleBuffers()
    {
        for (final Slot slot : slots.values())
        {
            if (!slot.inProgress && slot.capacity() > 0)
            {
                release(slot);
            }
        }
    }

    private void release(final Slot slot)
    {
        bytesUsed -= slot.capacity();
        slot.buffer.wrap(new byte[0]);
    }

    private void complete(final Slot slot, final FrameHandler handler)
    {
        slot.inProgress = false;
        messagesReassembled++;
        try
        {
            handler.onMessage(slot.sourceId, slot.type, slot.correlationId, slot.groupIdMsb, slot.groupIdLsb,
                slot.buffer, 0, slot.messageLength);
        }
        finally
        {
            if (slot.capacity() > RETAINED_BUFFER_BYTES_MAX)
            {
                release(slot);
            }
        }
    }

    private void drop(final Slot slot, final FrameError error, final String detail)
    {
        errors.record(error, slot.sourceId, detail);
        slot.inProgress = false;
        if (slot.capacity() > RETAINED_BUFFER_BYTES_MAX)
        {
            release(slot);
        }
    }

    /**
     * Drops messages without progress for the timeout, and forgets idle sources (freeing their
     * buffers). Call it every few milliseconds from the polling thread.
     *
     * @return messages dropped.
     */
    public int expire(final long nowNs)
    {
        int dropped = 0;
        expired.clear();
        for (final Slot slot : slots.values())
        {
            // A TLS session's records message waits TLS_RECORDS_TIMEOUT_FACTOR times longer: its sender counts it
            // sent once its last fragment is accepted, so a receiver that gave up on it first (its network thread
            // late to poll, the fragments still in flight) broke the session's record sequence, and the session
            // failed on the next message ("Tag mismatch"; the rest arrived a second after a 5 s timeout). A sender
            // that abandons one resends it whole, and that first fragment replaces the partial; a source that goes
            // away takes its partial with it. Still bounded in time, so a partial whose image close was missed is
            // not kept for good.
            final long limitNs = slot.inProgress && slot.type == MessageType.TLS_RECORDS
                ? timeoutNs * TLS_RECORDS_TIMEOUT_FACTOR : timeoutNs;
            if (nowNs - slot.lastActivityNs >= limitNs)
            {
                expired.add(slot);
            }
        }
        for (int i = 0; i < expired.size(); i++)
        {
            final Slot slot = expired.get(i);
            if (slot.inProgress)
            {
                drop(slot, FrameError.REASSEMBLY_TIMEOUT, "had " + slot.nextOffset + " of " + slot.messageLength
                    + " bytes of " + slot.type + " correlation " + slot.correlationId + " after "
                    + (nowNs - slot.lastActivityNs) / 1_000_000 + " ms");
                dropped++;
            }
            remove(slot);
        }
        expired.clear();
        return dropped;
    }

    /** The source is gone (image closed): drops its partial message, if any, and frees its slot. */
    public void removeSource(final long sourceId)
    {
        final Slot slot = slots.get(sourceId);
        if (slot != null)
        {
            if (slot.inProgress)
            {
                drop(slot, FrameError.REASSEMBLY_INCOMPLETE, "source closed with " + slot.nextOffset + " of "
                    + slot.messageLength + " bytes of correlation " + slot.correlationId);
            }
            remove(slot);
        }
    }

    private void remove(final Slot slot)
    {
        release(slot);
        slots.remove(slot.sourceId);
    }

    /** Bytes reserved by messages in progress plus buffers kept for reuse. */
    public long bytesUsed()
    {
        return bytesUsed;
    }

    public int sources()
    {
        return slots.size();
    }

    public int inProgress()
    {
        int count = 0;
        for (final Slot slot : slots.values())
        {
            if (slot.inProgress)
            {
                count++;
            }
        }
        return count;
    }

    public long messagesReassembled()
    {
        return messagesReassembled;
    }
}
