package io.tributary.client.internal;

import io.tributary.client.ConsumerBatch;
import io.tributary.format.RecordBatchFlyweight;
import io.tributary.format.RecordFlyweight;

import org.agrona.DirectBuffer;

/**
 * The reusable view {@link io.tributary.client.Consumer#poll} returns: per shard, a run of whole
 * stored batches in that shard's reply buffer, and the offset to start from (records before it,
 * in the first batch, are skipped). Arrays sized once to the assignment; nothing allocated per
 * poll or per record. Not thread-safe.
 */
final class ConsumerBatchImpl implements ConsumerBatch
{
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private int[] shards = new int[0];
    private DirectBuffer[] buffers = new DirectBuffer[0];
    private int[] starts = new int[0];
    private int[] ends = new int[0];
    private long[] fromOffsets = new long[0];
    private int segments;
    private int recordCount;

    private int segment;
    private int batchAt;
    private boolean batchOpen;

    void capacity(final int maxSegments)
    {
        if (shards.length < maxSegments)
        {
            shards = new int[maxSegments];
            buffers = new DirectBuffer[maxSegments];
            starts = new int[maxSegments];
            ends = new int[maxSegments];
            fromOffsets = new long[maxSegments];
        }
        clear();
    }

    void clear()
    {
        for (int i = 0; i < segments; i++)
        {
            buffers[i] = null;
        }
        segments = 0;
        recordCount = 0;
        rewind();
    }

    /**
     * Adds the batches in [start, end) of {@code buffer}, holding {@code records} records at or after {@code
     * fromOffset}.
     */
    void add(final int shard, final DirectBuffer buffer, final int start, final int end, final long fromOffset,
        final int records)
    {
        if (segments == shards.length)
        {
            throw new IllegalStateException("more segments than assigned shards (" + shards.length + ")");
        }
        shards[segments] = shard;
        buffers[segments] = buffer;
        starts[segments] = start;
        ends[segments] = end;
        fromOffsets[segments] = fromOffset;
        segments++;
        recordCount += records;
        rewind();
    }

    @Override
    public int recordCount()
    {
        return recordCount;
    }

    @Override
    public boolean isEmpty()
    {
        return recordCount == 0;
    }

    @Override
    public boolean nextRecord()
    {
        while (segment < segments)
        {
            if (!batchOpen)
            {
                if (batchAt >= ends[segment])
                {
                    segment++;
                    if (segment < segments)
                    {
                        batchAt = starts[segment];
                    }
                    continue;
                }
                batch.wrap(buffers[segment], batchAt);
                batchOpen = true;
            }
            while (batch.nextRecord())
            {
                if (batch.record().offset() >= fromOffsets[segment])
                {
                    return true;
                }
            }
            batchOpen = false;
            batchAt += batch.batchLength();
        }
        return false;
    }

    @Override
    public RecordFlyweight record()
    {
        return batch.record();
    }

    @Override
    public int shard()
    {
        return shards[segment];
    }

    @Override
    public RecordBatchFlyweight batch()
    {
        return batch;
    }

    @Override
    public void rewind()
    {
        segment = 0;
        batchAt = segments > 0 ? starts[0] : 0;
        batchOpen = false;
    }
}
