package io.tributary.engine;

import io.tributary.format.AppendStatus;

import io.tributary.format.RecordBatchFlyweight;
import io.tributary.format.RecordFlyweight;

import static io.tributary.format.RecordBatchDescriptor.NO_PRODUCER_ID;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

import io.tributary.engine.internal.LogState;
import io.tributary.engine.internal.ProducerTable.ProducerState;

/**
 * The checks an append passes before anything is stored: idempotence, conditions, the key
 * limit. Each returns true to go on, or false with {@code result} filled in. Deterministic:
 * they read only the log state and the batch.
 */
final class AppendChecks
{
    private AppendChecks()
    {
    }

    static boolean checkProducer(final LogState state, final RecordBatchFlyweight batch, final AppendResult result)
    {
        final long producerId = batch.producerId();
        if (producerId == NO_PRODUCER_ID)
        {
            return true;
        }
        final short epoch = batch.producerEpoch();
        final int baseSequence = batch.baseSequence();
        final ProducerState producer = state.producers.get(producerId);
        if (producer == null)
        {
            return baseSequence == 0 || fail(result, AppendStatus.UNKNOWN_PRODUCER, 0, baseSequence, "producer "
                + producerId + " is unknown to this shard (new, or evicted after maxProducers) and sent sequence "
                + baseSequence + "; a producer starts at sequence 0: bump its epoch and start again at 0");
        }
        if (epoch < producer.epoch())
        {
            return fail(result, AppendStatus.STALE_EPOCH, producer.epoch(), epoch, "producer " + producerId
                + " sent epoch " + epoch + " but epoch " + producer.epoch()
                + " has already written: this producer instance is fenced");
        }
        if (epoch > producer.epoch())
        {
            return baseSequence == 0 || fail(result, AppendStatus.SEQUENCE_GAP, 0, baseSequence, "producer "
                + producerId + " started epoch " + epoch + " at sequence " + baseSequence
                + "; a new epoch starts at 0");
        }
        final int recent = producer.findRecent(baseSequence, batch.recordCount());
        if (recent >= 0)
        {
            final long baseOffset = producer.recentBaseOffset(recent);
            result.set(AppendStatus.DUPLICATE, baseOffset, baseOffset + batch.recordCount() - 1);
            return false;
        }
        final long expected = producer.lastSequence() + 1L;
        if (baseSequence == expected)
        {
            return true;
        }
        if (baseSequence > expected)
        {
            return fail(result, AppendStatus.SEQUENCE_GAP, expected, baseSequence, "producer " + producerId + " epoch "
                + epoch + " sent sequence " + baseSequence + " but the next expected is " + expected
                + ": batches in between were lost; resend them in order");
        }
        return fail(result, AppendStatus.OUT_OF_ORDER_SEQUENCE, expected, baseSequence, "producer " + producerId
            + " epoch " + epoch + " sent sequence " + baseSequence + " (" + batch.recordCount() + " records), which is"
            + " below the next expected " + expected + " and matches none of its last "
            + producer.recentCount() + " batches");
    }

    static boolean checkCondition(final LogState state, final AppendCondition condition, final AppendResult result)
    {
        if (condition == null)
        {
            return true;
        }
        final long expectedShard = condition.expectedShardLastOffset();
        if (expectedShard != AppendCondition.UNCHECKED && expectedShard != state.lastOffset())
        {
            return fail(result, AppendStatus.SHARD_CONDITION_FAILED, expectedShard, state.lastOffset(),
                "expected the shard's last offset to be " + expectedShard + " but it is " + state.lastOffset());
        }
        if (condition.checksKey())
        {
            final long found = state.keyIndex.get(condition.key(), condition.keyOffset(), condition.keyLength());
            if (found != condition.expectedKeyLastOffset())
            {
                return fail(result, AppendStatus.KEY_CONDITION_FAILED, condition.expectedKeyLastOffset(), found,
                    "expected the key's last offset to be " + condition.expectedKeyLastOffset() + " but it is " + found
                    + (found < 0 ? noRecord(state) : ""));
            }
        }
        return true;
    }

    private static String noRecord(final LogState state)
    {
        return state.keyHorizon == 0 ? " (no record)" : " (no record at or after offset " + state.keyHorizon
            + ", below which retention has removed the records and their keys)";
    }

    static boolean checkKeyLimit(
        final LogState state, final RecordBatchFlyweight batch, final int maxKeys, final AppendResult result)
    {
        if ((long)state.keyIndex.size() + batch.recordCount() <= maxKeys)
        {
            return true;
        }
        final Set<ByteBuffer> newKeys = new HashSet<>();
        batch.rewind();
        while (batch.nextRecord())
        {
            final RecordFlyweight record = batch.record();
            if (record.keyLength() >= 0
                && !state.keyIndex.contains(batch.buffer(), record.keyOffset(), record.keyLength()))
            {
                newKeys.add(ByteBuffer.wrap(record.keyBytes()));
            }
        }
        final long total = (long)state.keyIndex.size() + newKeys.size();
        return total <= maxKeys || fail(result, AppendStatus.KEY_LIMIT_REACHED, maxKeys, total, "the shard holds "
            + state.keyIndex.size() + " distinct keys and this batch adds " + newKeys.size() + ", past maxKeys = "
                + maxKeys
            + "; raise maxKeys, spread the keys over more shards, or shorten the stream's retention (a key whose latest"
            + " record retention removed no longer counts)");
    }

    private static boolean fail(
        final AppendResult result, final AppendStatus status, final long expected, final long found,
            final String message)
    {
        result.fail(status, expected, found, message);
        return false;
    }
}
