package io.tributary.engine.internal;

import java.util.Arrays;

/**
 * Maps offsets to Chronicle excerpt indexes, one entry per stored batch, so that finding an
 * offset never scans the log.
 *
 * <p>Cost: 20 bytes per batch (base offset, excerpt index, batch length) in three parallel
 * primitive arrays; lookup is a binary search, O(log batches): about 20 probes for a million
 * batches. Appends are amortised O(1); retention drops entries from the front in O(1) and
 * compacts when the dropped part passes half the array. At 256 records per batch a billion
 * records cost about 80 MB.
 */
public final class OffsetIndex
{
    private long[] baseOffsets = new long[1024];
    private long[] excerptIndexes = new long[1024];
    private int[] batchLengths = new int[1024];
    private int start;
    private int end;
    private long retainedBytes;

    public int size()
    {
        return end - start;
    }

    public boolean isEmpty()
    {
        return end == start;
    }

    public void clear()
    {
        start = 0;
        end = 0;
        retainedBytes = 0;
    }

    public void add(final long baseOffset, final long excerptIndex, final int batchLength)
    {
        if (end > start && baseOffset <= baseOffsets[end - 1])
        {
            throw new IllegalStateException("offset index must increase: adding base offset " + baseOffset
                + " after " + baseOffsets[end - 1]);
        }
        if (end == baseOffsets.length)
        {
            grow();
        }
        baseOffsets[end] = baseOffset;
        excerptIndexes[end] = excerptIndex;
        batchLengths[end] = batchLength;
        end++;
        retainedBytes += batchLength;
    }

    private void grow()
    {
        final int size = size();
        final int capacity = size * 2 > baseOffsets.length ? baseOffsets.length * 2 : baseOffsets.length;
        baseOffsets = compact(baseOffsets, capacity);
        excerptIndexes = compact(excerptIndexes, capacity);
        final int[] lengths = new int[capacity];
        System.arraycopy(batchLengths, start, lengths, 0, size);
        batchLengths = lengths;
        start = 0;
        end = size;
    }

    private long[] compact(final long[] array, final int capacity)
    {
        final long[] copy = new long[capacity];
        System.arraycopy(array, start, copy, 0, size());
        return copy;
    }

    /** Position (0 = oldest retained) of the batch that contains {@code offset}, or -1 if none. */
    public int find(final long offset, final long nextOffset)
    {
        if (isEmpty() || offset < baseOffsets[start] || offset >= nextOffset)
        {
            return -1;
        }
        final int found = Arrays.binarySearch(baseOffsets, start, end, offset);
        return (found >= 0 ? found : -found - 2) - start;
    }

    public long baseOffset(final int position)
    {
        return baseOffsets[start + position];
    }

    public long excerptIndex(final int position)
    {
        return excerptIndexes[start + position];
    }

    public int batchLength(final int position)
    {
        return batchLengths[start + position];
    }

    /** Bytes of the batches still indexed. */
    public long retainedBytes()
    {
        return retainedBytes;
    }

    /** Drops the oldest {@code count} entries (retention). */
    public void dropFirst(final int count)
    {
        if (count < 0 || count > size())
        {
            throw new IllegalArgumentException("cannot drop " + count + " of " + size() + " index entries");
        }
        for (int i = start; i < start + count; i++)
        {
            retainedBytes -= batchLengths[i];
        }
        start += count;
    }

    /** Drops the newest entries, keeping {@code size} (truncation). */
    public void truncateTo(final int size)
    {
        if (size < 0 || size > size())
        {
            throw new IllegalArgumentException("cannot truncate " + size() + " index entries to " + size);
        }
        for (int i = start + size; i < end; i++)
        {
            retainedBytes -= batchLengths[i];
        }
        end = start + size;
    }
}
