package io.tributary.raft.frontend;

import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.format.AppendStatus;
import io.tributary.protocol.AppendResultDescriptor;
import io.tributary.protocol.ProduceResponseDescriptor;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.frame.SendStatus;
import io.tributary.protocol.net.Responder;

/**
 * One produce request while its items are in Raft entries of one or more shards: a result slot
 * per item, filled by whichever thread learns it (the network thread for refusals, Ratis's apply
 * thread for entries), and the response sent by the thread that fills the last one.
 * <p>
 * Each slot is written by exactly one thread; the count of open items is the hand-over (its
 * decrement publishes the slot to the thread that sends).
 */
final class PendingProduce
{
    private static final Logger LOG = LoggerFactory.getLogger(PendingProduce.class);
    private static final ThreadLocal<ExpandableArrayBuffer> RESPONSES =
        ThreadLocal.withInitial(() -> new ExpandableArrayBuffer(4096));

    private final Responder responder;
    private final long correlationId;
    private final int itemCount;
    private final UnsafeBuffer slots;
    private final String[] messages;
    private final AtomicInteger open;

    PendingProduce(final Responder responder, final long correlationId, final int itemCount)
    {
        this.responder = responder;
        this.correlationId = correlationId;
        this.itemCount = itemCount;
        this.slots = new UnsafeBuffer(new byte[Math.max(1, itemCount) * AppendResultDescriptor.HEADER_LENGTH]);
        this.messages = new String[itemCount];
        this.open = new AtomicInteger(itemCount);
    }

    int itemCount()
    {
        return itemCount;
    }

    /** Item {@code index} ended without reaching a shard log (refused, or its entry failed). */
    void complete(final int index, final AppendStatus status, final String message)
    {
        set(index, status.code(), AppendResultDescriptor.NONE, AppendResultDescriptor.NONE, AppendResultDescriptor.NONE,
            AppendResultDescriptor.NONE, message);
    }

    /** Item {@code index} got the shard's result at {@code offset} of {@code results} (an entry's reply). */
    void complete(final int index, final DirectBuffer results, final int offset)
    {
        final int messageLength = AppendResultDescriptor.messageLength(results, offset);
        set(index, (byte)AppendResultDescriptor.statusCode(results, offset),
            AppendResultDescriptor.baseOffset(results, offset),
            AppendResultDescriptor.lastOffset(results, offset), AppendResultDescriptor.expected(results, offset),
            AppendResultDescriptor.found(results, offset),
            messageLength == 0 ? null : AppendResultDescriptor.message(results, offset));
    }

    private void set(final int index, final byte status, final long base, final long last, final long expected,
        final long found,
        final String message)
    {
        final int at = index * AppendResultDescriptor.HEADER_LENGTH;
        slots.putByte(at + AppendResultDescriptor.STATUS_OFFSET, status);
        slots.putLong(at + AppendResultDescriptor.BASE_OFFSET_OFFSET, base);
        slots.putLong(at + AppendResultDescriptor.LAST_OFFSET_OFFSET, last);
        slots.putLong(at + AppendResultDescriptor.EXPECTED_OFFSET, expected);
        slots.putLong(at + AppendResultDescriptor.FOUND_OFFSET, found);
        messages[index] = message;
        final int left = open.decrementAndGet();
        if (left == 0)
        {
            send();
        }
        else if (left < 0)
        {
            throw new IllegalStateException("produce request " + correlationId + " from " + responder.peer()
                + ": item " + index + " completed after all " + itemCount + " items had");
        }
    }

    /** Answers a request of no items. */
    void sendEmpty()
    {
        send();
    }

    private void send()
    {
        final ExpandableArrayBuffer out = RESPONSES.get();
        ProduceResponseDescriptor.writeHeader(out, 0, itemCount);
        int at = ProduceResponseDescriptor.HEADER_LENGTH;
        for (int i = 0; i < itemCount; i++)
        {
            final int slot = i * AppendResultDescriptor.HEADER_LENGTH;
            out.checkLimit(at + AppendResultDescriptor.encodedLength(messages[i]));
            at += AppendResultDescriptor.write(out, at, slots.getByte(slot),
                slots.getLong(slot + AppendResultDescriptor.BASE_OFFSET_OFFSET),
                slots.getLong(slot + AppendResultDescriptor.LAST_OFFSET_OFFSET),
                slots.getLong(slot + AppendResultDescriptor.EXPECTED_OFFSET),
                slots.getLong(slot + AppendResultDescriptor.FOUND_OFFSET), messages[i]);
        }
        final SendStatus status = responder.respond(MessageType.PRODUCE_RESPONSE, correlationId, out, 0, at);
        if (status != SendStatus.OK)
        {
            // The producer times the request out and resends its batches; stored ones come back as DUPLICATE.
            LOG.warn("produce response {} of {} items to {} not sent: {}", correlationId, itemCount, responder.peer(),
                status);
        }
    }
}
