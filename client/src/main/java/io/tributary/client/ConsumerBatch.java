package io.tributary.client;

import io.tributary.format.RecordBatchFlyweight;
import io.tributary.format.RecordFlyweight;

/**
 * What one {@link Consumer#poll} returned: records of one or more shards, in offset order within
 * each shard. A reusable view over the consumer's buffers, valid until the next poll; iterating
 * allocates nothing.
 *
 * <pre>
 * ConsumerBatch records = consumer.poll(Duration.ofMillis(500));
 * while (records.nextRecord())
 * {
 *     RecordFlyweight record = records.record();
 *     handle(records.shard(), record.offset(), record.buffer(), record.valueOffset(), record.valueLength());
 * }
 * </pre>
 */
public interface ConsumerBatch
{
    /** Records in the view (records before a seek position inside a stored batch excluded). */
    int recordCount();

    boolean isEmpty();

    /** Moves to the next record; false after the last. */
    boolean nextRecord();

    /** The current record; valid until the next call of {@link #nextRecord}. */
    RecordFlyweight record();

    /** The shard of the current record. */
    int shard();

    /** The stored batch the current record belongs to (header fields: producer id, timestamps, ...). */
    RecordBatchFlyweight batch();

    /** Moves the cursor back before the first record. */
    void rewind();
}
