package io.tributary.raft.frontend;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.DirectBuffer;

import io.tributary.engine.ShardLog;
import io.tributary.protocol.FetchRequestDescriptor;
import io.tributary.protocol.net.Responder;

/**
 * One fetch request from arrival to response: each item's shard and what was decided for it
 * before reading (refused, or to be read), and the once-only response.
 */
final class PendingFetch
{
    /** An item to be read when the response is built. */
    static final byte READ = -1;

    final Responder responder;
    final long correlationId;
    final int maxWaitMs;
    final int itemCount;
    final long[] groupMsb;
    final long[] groupLsb;
    final long[] fromOffset;
    final long[] minAppliedIndex;
    final int[] maxBytes;
    final byte[] consistency;
    final ShardHandle[] shards;
    /** READ, or the status decided before reading (its message in {@link #messages}). */
    final byte[] decided;
    final String[] messages;
    private final AtomicBoolean answered = new AtomicBoolean();
    volatile ScheduledFuture<?> timeout;
    private final FetchService service;

    PendingFetch(final FetchService service, final Responder responder, final long correlationId,
        final DirectBuffer buffer,
        final int offset)
    {
        this.service = service;
        this.responder = responder;
        this.correlationId = correlationId;
        this.maxWaitMs = Math.max(0, Math.min(FetchRequestDescriptor.MAX_WAIT_MS_MAX,
            FetchRequestDescriptor.maxWaitMs(buffer, offset)));
        this.itemCount = FetchRequestDescriptor.itemCount(buffer, offset);
        groupMsb = new long[itemCount];
        groupLsb = new long[itemCount];
        fromOffset = new long[itemCount];
        minAppliedIndex = new long[itemCount];
        maxBytes = new int[itemCount];
        consistency = new byte[itemCount];
        shards = new ShardHandle[itemCount];
        decided = new byte[itemCount];
        messages = new String[itemCount];
        for (int i = 0; i < itemCount; i++)
        {
            final int at = FetchRequestDescriptor.itemOffset(offset, i);
            groupMsb[i] = buffer.getLong(at + FetchRequestDescriptor.ITEM_GROUP_MSB_OFFSET);
            groupLsb[i] = buffer.getLong(at + FetchRequestDescriptor.ITEM_GROUP_LSB_OFFSET);
            fromOffset[i] = buffer.getLong(at + FetchRequestDescriptor.ITEM_FROM_OFFSET_OFFSET);
            minAppliedIndex[i] = buffer.getLong(at + FetchRequestDescriptor.ITEM_MIN_APPLIED_INDEX_OFFSET);
            maxBytes[i] = buffer.getInt(at + FetchRequestDescriptor.ITEM_MAX_BYTES_OFFSET);
            consistency[i] = buffer.getByte(at + FetchRequestDescriptor.ITEM_CONSISTENCY_OFFSET);
            decided[i] = READ;
        }
    }

    void decide(final int item, final byte status, final String message)
    {
        decided[item] = status;
        messages[item] = message;
    }

    /** True the first time only: the caller answers. */
    boolean claimAnswer()
    {
        return answered.compareAndSet(false, true);
    }

    boolean isAnswered()
    {
        return answered.get();
    }

    /** Whether an item could be answered with something now: an error, a position, data, or an offset out of range. */
    boolean anyReady()
    {
        for (int i = 0; i < itemCount; i++)
        {
            if (decided[i] != READ || maxBytes[i] <= 0 || hasData(i))
            {
                return true;
            }
        }
        return false;
    }

    boolean hasDataOn(final ShardHandle shard)
    {
        for (int i = 0; i < itemCount; i++)
        {
            if (shards[i] == shard && decided[i] == READ && hasData(i))
            {
                return true;
            }
        }
        return false;
    }

    private boolean hasData(final int item)
    {
        final ShardLog log = shards[item] == null ? null : shards[item].stateMachine.log();
        return log == null || fromOffset[item] != log.nextOffset();
    }

    /** A shard this fetch waits on has new data. */
    void wake()
    {
        service.respondLater(this);
    }
}
