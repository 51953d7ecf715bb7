package io.tributary.engine;

import io.tributary.format.RecordBatchBuilder;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;

/** Test helpers that build batches. */
final class Batches
{
    private Batches()
    {
    }

    static byte[] bytes(final String text)
    {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    /** A batch of {@code values}, keyed by {@code key} (may be null), non-idempotent. */
    static UnsafeBuffer batch(final String key, final String... values)
    {
        return idempotentBatch(-1, (short)-1, -1, key, values);
    }

    static UnsafeBuffer idempotentBatch(final long producerId, final short epoch, final int baseSequence,
        final String key, final String... values)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 16]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        if (producerId < 0)
        {
            builder.reset();
        }
        else
        {
            builder.reset(producerId, epoch, baseSequence);
        }
        long timestampMs = 1_700_000_000_000L;
        for (final String value : values)
        {
            if (!builder.tryAppend(timestampMs++, bytes(key), bytes(value)))
            {
                throw new IllegalStateException("test batch too large");
            }
        }
        final int length = builder.build();
        return new UnsafeBuffer(buffer, 0, length);
    }
}
