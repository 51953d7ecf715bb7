package io.tributary.client.internal;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.tributary.protocol.AppendItemDescriptor;

/** Encodes append items ({@link AppendItemDescriptor}): one array per batch, the batch copied once. */
public final class AppendItems
{
    public static final long UNCHECKED = Long.MIN_VALUE;

    private AppendItems()
    {
    }

    /**
     * @param conditionKey null for no key condition (then {@code expectedKeyLastOffset} is ignored).
     * @param expectedShardLastOffset {@link #UNCHECKED} for no shard condition.
     * @param traceparent null for none.
     */
    public static byte[] encode(final DirectBuffer batch, final int offset, final int length,
        final long expectedShardLastOffset,
        final byte[] conditionKey, final long expectedKeyLastOffset, final String traceparent)
    {
        final byte[] trace = traceparent == null ? null : traceparent.getBytes(StandardCharsets.US_ASCII);
        final int traceLength = trace == null ? 0 : trace.length;
        final int keyLength = conditionKey == null ? 0 : conditionKey.length;
        int flags = 0;
        if (expectedShardLastOffset != UNCHECKED)
        {
            flags |= AppendItemDescriptor.FLAG_SHARD_CONDITION;
        }
        if (conditionKey != null)
        {
            flags |= AppendItemDescriptor.FLAG_KEY_CONDITION;
        }
        final UnsafeBuffer out = new UnsafeBuffer(new byte[AppendItemDescriptor.itemLength(traceLength, keyLength,
            length)]);
        int at = AppendItemDescriptor.writeHeader(out, 0, flags, traceLength, keyLength, expectedShardLastOffset,
            conditionKey == null ? UNCHECKED : expectedKeyLastOffset, length);
        if (trace != null)
        {
            out.putBytes(at, trace);
            at += traceLength;
        }
        if (conditionKey != null)
        {
            out.putBytes(at, conditionKey);
            at += keyLength;
        }
        out.putBytes(at, batch, offset, length);
        return out.byteArray();
    }

    /** Where the batch starts in an item built by {@link #encode}. */
    static int batchOffset(final byte[] item)
    {
        return AppendItemDescriptor.batchOffset(new UnsafeBuffer(item), 0);
    }
}
