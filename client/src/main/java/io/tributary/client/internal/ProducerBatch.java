package io.tributary.client.internal;

import static io.tributary.format.RecordBatchDescriptor.BASE_SEQUENCE_OFFSET;
import static io.tributary.format.RecordBatchDescriptor.CRC_COVERED_START;
import static io.tributary.format.RecordBatchDescriptor.CRC_OFFSET;
import static io.tributary.format.RecordBatchDescriptor.PRODUCER_EPOCH_OFFSET;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.tributary.client.RecordMetadata;
import io.tributary.format.Checksums;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One batch of one shard, from its first record to its outcome: the records' futures, the
 * memory it holds, its producer epoch and sequence, the encoded append item once sealed, and its
 * retry state. Fields before sealing are guarded by the shard's monitor; after, the sender
 * thread owns the batch.
 */
final class ProducerBatch
{
    final ShardProducer shard;
    final long createdNs;
    final long deadlineNs;
    final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
    /** Completes (normally) when every record's future has completed, whatever the outcome. */
    final CompletableFuture<Void> done = new CompletableFuture<>();

    List<SpanContext> links;
    long reservedBytes;
    int recordCount;

    /** The epoch and base sequence the batch must carry when sent next. */
    short epoch;
    int baseSequence;
    /** The epoch and base sequence written in {@link #item}. */
    short encodedEpoch;
    int encodedBaseSequence;

    /** The append item carrying the sealed batch ({@code io.tributary.protocol.AppendItemDescriptor}). */
    byte[] item;
    int batchOffset;
    int batchLength;
    Span span;

    int attempts;
    /** Refusals that stored nothing (not the leader, busy, not hosted): they back off but use no retry. */
    int refusals;
    boolean needsResend;
    /** Sent during recovery, with every earlier batch settled. */
    boolean sentAlone;
    /** The next send must start a new epoch at this batch (the shard lost track of this producer's sequence). */
    boolean newEpoch;
    Throwable lastError;
    boolean finished;

    ProducerBatch(final ShardProducer shard, final long createdNs, final long deliveryTimeoutNs)
    {
        this.shard = shard;
        this.createdNs = createdNs;
        this.deadlineNs = createdNs + deliveryTimeoutNs;
    }

    void add(final CompletableFuture<RecordMetadata> future, final int recordBytes, final SpanContext link)
    {
        futures.add(future);
        reservedBytes += recordBytes;
        recordCount++;
        if (link != null && (links == null || links.size() < ProduceTracing.MAX_LINKS))
        {
            if (links == null)
            {
                links = new ArrayList<>(4);
            }
            if (links.isEmpty() || !links.get(links.size() - 1).equals(link))
            {
                links.add(link);
            }
        }
    }

    /** Sets the producer fields the next send carries; the request is patched when it is sent. */
    void assign(final short epoch, final int baseSequence)
    {
        this.epoch = epoch;
        this.baseSequence = baseSequence;
    }

    /**
     * Makes the item carry the assigned epoch and sequence: patches a copy (the old array may still
     * be queued in a request that timed out) and recomputes the body CRC, which covers
     * both fields. The header CRC does not cover them.
     */
    void applyAssignment()
    {
        if (epoch == encodedEpoch && baseSequence == encodedBaseSequence)
        {
            return;
        }
        final byte[] copy = item.clone();
        final UnsafeBuffer batch = new UnsafeBuffer(copy, batchOffset, batchLength);
        batch.putShort(PRODUCER_EPOCH_OFFSET, epoch);
        batch.putInt(BASE_SEQUENCE_OFFSET, baseSequence);
        batch.putInt(CRC_OFFSET, Checksums.crc32c(batch, CRC_COVERED_START, batchLength - CRC_COVERED_START));
        item = copy;
        encodedEpoch = epoch;
        encodedBaseSequence = baseSequence;
        assert batch.getShort(PRODUCER_EPOCH_OFFSET) == epoch && batch.getInt(BASE_SEQUENCE_OFFSET) == baseSequence;
    }

    void succeed(final String stream, final int shardIndex, final long baseOffset, final boolean duplicate)
    {
        finished = true;
        for (int i = 0; i < futures.size(); i++)
        {
            futures.get(i).complete(new RecordMetadata(stream, shardIndex, baseOffset + i));
        }
        ProduceTracing.succeeded(span, baseOffset, attempts, duplicate);
        done.complete(null);
    }

    void fail(final Throwable error)
    {
        finished = true;
        for (int i = 0; i < futures.size(); i++)
        {
            futures.get(i).completeExceptionally(error);
        }
        ProduceTracing.failed(span, attempts, error);
        done.complete(null);
    }

    String describe()
    {
        return recordCount + " records (" + batchLength + " bytes, sequence " + baseSequence + ", epoch " + epoch + ")";
    }
}
