package io.tributary.client.internal;

import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;

import io.tributary.protocol.FetchResponseDescriptor;

/**
 * A replica's answer to one read (an item of a fetch response): its position and the stored
 * batches from the requested offset, in {@code data} (owned by the receiver from now on), or an
 * error text.
 */
public record ReadOutcome(byte status, byte role, long firstOffset, long nextOffset, long appliedIndex, long batchCount,
    long retainedBytes, byte[] data)
{
    static ReadOutcome decode(final DirectBuffer buffer, final int itemOffset)
    {
        final int length = FetchResponseDescriptor.dataLength(buffer, itemOffset);
        final byte[] data = new byte[length];
        buffer.getBytes(itemOffset + FetchResponseDescriptor.ITEM_HEADER_LENGTH, data);
        return new ReadOutcome(FetchResponseDescriptor.status(buffer, itemOffset),
            FetchResponseDescriptor.role(buffer, itemOffset),
            FetchResponseDescriptor.firstOffset(buffer, itemOffset),
                FetchResponseDescriptor.nextOffset(buffer, itemOffset),
            FetchResponseDescriptor.appliedIndex(buffer, itemOffset),
                FetchResponseDescriptor.batchCount(buffer, itemOffset),
            FetchResponseDescriptor.retainedBytes(buffer, itemOffset), data);
    }

    public boolean isOk()
    {
        return status == FetchResponseDescriptor.STATUS_OK;
    }

    /** The error text (or the leader hint for NOT_LEADER). */
    public String text()
    {
        return new String(data, StandardCharsets.UTF_8);
    }
}
