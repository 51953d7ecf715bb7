package io.tributary.client;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.tributary.client.internal.ProducerImpl;
import io.tributary.format.RecordHeaders;

/**
 * Appends records to streams, batched per shard, asynchronously.
 *
 * <p><b>Threads.</b> Thread-safe: any number of threads may call {@code send}. Records are
 * batched per shard and sent by one I/O thread per producer, which also completes the futures:
 * callbacks attached to them run on that thread, so keep them short and never block in them
 * (a {@code send} from a callback fails fast instead of waiting for memory).
 *
 * <p><b>Buffers.</b> {@code send} copies key, value and headers into a batch before it returns;
 * the caller may reuse them at once.
 *
 * <p><b>Ordering and delivery.</b> Records with the same key go to the same shard (consistent
 * hashing); records without a key go to a shard the producer picks, the same for a whole batch.
 * Within a shard, records are stored in the order of their {@code send} calls (as seen by the
 * producer). With idempotence (the default) a batch resent after a timeout or a lost reply is
 * stored once: its futures get the original offsets. Memory is bounded by
 * {@link ProducerConfig#bufferMemoryBytes}; at most {@link ProducerConfig#maxInFlightPerShard}
 * batches per shard are in flight.
 *
 * <p><b>Failures.</b> {@code send} throws only for caller errors: a record too large for any
 * shard ({@link RecordTooLargeException}), null arguments, or a closed producer. Everything else
 * completes the future exceptionally: {@link UnknownStreamException},
 * {@link BufferFullException}, {@link AppendRejectedException} (the shard refused the batch),
 * {@link OutcomeUnknownException} (retries or the delivery timeout were exhausted: the records
 * may or may not be stored).
 */
public interface Producer extends AutoCloseable
{
    /**
     * Connects to the metadata quorum and gets a producer id (with idempotence).
     *
     * @throws IOException if the metadata quorum cannot be reached.
     */
    static Producer create(final ProducerConfig config) throws IOException
    {
        return ProducerImpl.create(config);
    }

    /** Same as {@link #send(String, byte[], byte[], RecordHeaders)} without headers. */
    CompletableFuture<RecordMetadata> send(String stream, byte[] key, byte[] value);

    /**
     * Buffers one record for its shard and returns at once (unless memory is full and the
     * back-pressure mode is BLOCK). The future completes when the shard has stored the record
     * (on a majority of its replicas), with its shard and offset.
     *
     * @param key     null: no key (the producer picks the shard); at most {@link ProducerConfig#maxKeyBytes}.
     * @param value   null is a null value (a tombstone).
     * @param headers may be null; copied before the call returns.
     * @throws RecordTooLargeException if the record could never fit a batch; nothing is buffered.
     * @throws IllegalStateException   if the producer is closed.
     */
    CompletableFuture<RecordMetadata> send(String stream, byte[] key, byte[] value, RecordHeaders headers);

    /**
     * Appends one record only if the last record with this key is at {@code expectedKeyLastOffset}
     * (-1: there must be no record with this key yet): optimistic concurrency, a register per key.
     * Sent at once as its own batch, outside the idempotent sequence, and never resent by the
     * producer after Ratis gave up: a timeout fails the future with {@link OutcomeUnknownException},
     * which a linearizability checker must treat as indeterminate.
     *
     * @return appended (with the offset) or condition failed (with expected and found offsets).
     */
    CompletableFuture<ConditionalResult> sendConditional(String stream, byte[] key, byte[] value,
        long expectedKeyLastOffset);

    /**
     * Sends every buffered record now and waits until every record sent before this call has
     * completed (successfully or not).
     */
    void flush() throws InterruptedException;

    /** The id the cluster gave this producer (-1 without idempotence). */
    long producerId();

    /** {@link #close(Duration)} with the delivery timeout. */
    @Override
    void close();

    /**
     * Refuses further sends, sends what is buffered and waits up to {@code timeout} for it to
     * complete; futures still open after that fail with {@link OutcomeUnknownException}. Then
     * releases every connection and thread. Idempotent.
     */
    void close(Duration timeout);
}
