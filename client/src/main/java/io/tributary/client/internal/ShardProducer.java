package io.tributary.client.internal;

import static io.tributary.format.RecordBatchDescriptor.HEADER_LENGTH;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.tributary.client.AppendRejectedException;
import io.tributary.client.OutcomeUnknownException;
import io.tributary.client.RecordMetadata;
import io.tributary.client.TributaryException;
import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.format.RecordHeaders;
import io.tributary.format.RecordDescriptor;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The producer's side of one shard: the open batch (one reusable buffer), sealed batches
 * waiting to be sent, batches in flight, and the idempotence state (epoch, next sequence).
 *
 * <p>Sending is pipelined (up to maxInFlight batches, in sequence order, over the shard's channel to its leader's
 * node). When a batch fails in a way that may be retried, the shard switches to recovery:
 * it sends nothing new, waits for every outstanding reply, then resends the unacknowledged
 * batches one at a time, oldest first, with their original bytes, so the engine's duplicate
 * detection turns an already stored batch into DUPLICATE with its original offsets. A batch the
 * shard refused stored nothing, so the batches after it take over its sequence numbers; a batch
 * whose outcome is unknown (given up) makes the batches after it start a new epoch at sequence 0.
 * Either way no sequence gap is left behind.
 *
 * <p>Conditional appends go beside the batches, one record each, through {@link ShardConditionals}.
 *
 * <p>Threads: {@code append} and {@code seal} run under this object's monitor (caller threads and
 * the I/O thread); everything about sending runs on the producer's I/O thread only.
 */
final class ShardProducer
{
    final ProducerImpl producer;
    final StreamProducer stream;
    final int shard;

    // Guarded by this.
    private UnsafeBuffer buffer;
    private RecordBatchBuilder builder;
    private ProducerBatch open;
    private final ArrayDeque<ProducerBatch> ready = new ArrayDeque<>();
    private short epoch;
    private int nextSequence;
    /** Set when the shard stops for good (stream deleted, producer closed, I/O thread failure): sends fail at once. */
    private TributaryException deadReason;

    // I/O thread only.
    private StreamInfo.ShardInfo placement;
    private ShardChannel channel;
    private boolean channelStale;
    private final ArrayDeque<ProducerBatch> inflight = new ArrayDeque<>();
    private int batchesOutstanding;
    private boolean recovering;
    private long retryAtNs;
    private boolean refreshWanted;
    /**
     * A replica answered that it does not host the shard: its replicas moved, and a resend waits for the new
     * placement. Otherwise (a node that did not answer, a refusal) the placement is refreshed beside the resend,
     * which goes at once to the next replica: a refresh asks the metadata quorum, which may be the very thing
     * that is down (its leader killed, a partition), and waiting for it held every batch of the shard back for
     * seconds although the shard's own group had a leader (Jepsen fault {@code metadata}, 2026-12-05).
     */
    private boolean placementMoved;
    private final ShardConditionals conditionals;

    ShardProducer(final ProducerImpl producer, final StreamProducer stream, final int shard)
    {
        this.producer = producer;
        this.stream = stream;
        this.shard = shard;
        this.placement = stream.info().shard(shard);
        this.conditionals = new ShardConditionals(producer, this);
    }

    // ------------------------------------------------------------------ caller threads

    /**
     * Appends one record to the open batch, sealing it first if the record does not fit.
     * {@code recordBytes} is the record's encoded length, already reserved from the producer's memory.
     *
     * @return true if the I/O thread should look at this shard (a batch was started or sealed).
     */
    synchronized boolean append(final long timestampMs, final byte[] key, final byte[] value,
        final RecordHeaders headers,
        final int recordBytes, final CompletableFuture<RecordMetadata> future, final SpanContext link, final long nowNs)
    {
        if (deadReason != null)
        {
            producer.memory.release(recordBytes);
            future.completeExceptionally(deadReason);
            return false;
        }
        boolean wake = false;
        if (open != null && HEADER_LENGTH + recordBytes > buffer.capacity())
        {
            seal();
            wake = true;
        }
        if (open == null)
        {
            startBatch(recordBytes, nowNs);
            wake = true;
        }
        if (!builder.tryAppend(timestampMs, key, value, headers))
        {
            seal();
            startBatch(recordBytes, nowNs);
            wake = true;
            if (!builder.tryAppend(timestampMs, key, value, headers))
            {
                throw new IllegalStateException("a record of " + recordBytes
                    + " bytes does not fit an empty batch buffer of " + buffer.capacity() + " bytes");
            }
        }
        open.add(future, recordBytes, link);
        if (buffer.capacity() > producer.batchBytes
            || buffer.capacity() - builder.sizeInBytes() < RecordDescriptor.MIN_RECORD_LENGTH)
        {
            // An oversized buffer holds one large record only; a full one can take no record at all.
            seal();
            wake = true;
        }
        return wake;
    }

    private void startBatch(final int recordBytes, final long nowNs)
    {
        final int capacity = Math.max(producer.batchBytes, HEADER_LENGTH + recordBytes);
        if (buffer == null || buffer.capacity() != capacity)
        {
            buffer = new UnsafeBuffer(new byte[capacity]);
            builder = new RecordBatchBuilder(buffer);
        }
        final ProducerBatch batch = new ProducerBatch(this, nowNs, producer.deliveryTimeoutNs);
        if (producer.idempotent)
        {
            builder.reset(producer.producerId, epoch, nextSequence);
            batch.encodedEpoch = epoch;
            batch.encodedBaseSequence = nextSequence;
            batch.assign(epoch, nextSequence);
        }
        else
        {
            builder.reset();
            batch.encodedEpoch = -1;
            batch.encodedBaseSequence = -1;
            batch.assign((short)-1, -1);
        }
        open = batch;
        producer.track(batch.done);
    }

    /** Seals the open batch: final sequence numbers, span, encoded request; it joins the ready queue. */
    private void seal()
    {
        final ProducerBatch batch = open;
        open = null;
        final int length = builder.build();
        batch.batchLength = length;
        if (producer.idempotent)
        {
            if ((long)nextSequence + batch.recordCount - 1 > Integer.MAX_VALUE)
            {
                startEpochLocked();
            }
            batch.assign(epoch, nextSequence);
            nextSequence += batch.recordCount;
        }
        final Span span = producer.tracing.start(stream.name, shard, batch.recordCount, length, producer.producerId,
            batch.baseSequence, false, batch.links);
        final String traceparent = ProduceTracing.traceparent(span);
        batch.span = span;
        batch.item = AppendItems.encode(buffer, 0, length, AppendItems.UNCHECKED, null, AppendItems.UNCHECKED,
            traceparent);
        batch.batchOffset = AppendItems.batchOffset(batch.item);
        batch.links = null;
        ready.add(batch);
        stream.onSealed(shard);
    }

    private void startEpochLocked()
    {
        if (epoch == Short.MAX_VALUE)
        {
            throw new TributaryException("producer " + producer.producerId + " has used every epoch (" + Short.MAX_VALUE
                + ") on stream '" + stream.name + "' shard " + shard + "; create a new producer");
        }
        epoch++;
        nextSequence = 0;
    }

    // ------------------------------------------------------------------ I/O thread

    /**
     * One pass of the I/O thread over this shard: seal a lingering batch, send what may be sent,
     * drive recovery. Returns the next time (nanoTime) this shard needs a pass without being
     * woken, or Long.MAX_VALUE.
     */
    long service(final long nowNs, final boolean flushing)
    {
        long nextNs = Long.MAX_VALUE;
        synchronized (this)
        {
            if (open != null)
            {
                final long lingerEndNs = open.createdNs + producer.lingerNs;
                // A batch leaves as soon as it can: its shard has an in-flight slot and its leader's node a free
                // request slot. While the node's slots are taken it stays open and keeps growing (up to
                // batchBytes), so batches grow with load by themselves and none waits at low load; linger only
                // bounds how long a batch stays open while it cannot leave.
                final boolean shardCanTake = ready.isEmpty() && inflight.size() < producer.maxInFlight && !recovering;
                if (flushing || (shardCanTake && (nodeCanTake() || nowNs - lingerEndNs >= 0)))
                {
                    seal();
                }
                else if (nowNs - lingerEndNs < 0)
                {
                    nextNs = lingerEndNs;
                }
            }
        }
        conditionals.send();
        if (recovering && batchesOutstanding == 0)
        {
            if (nowNs - retryAtNs >= 0)
            {
                recover(nowNs);
            }
            if (recovering && batchesOutstanding == 0 && !(placementMoved && stream.refreshInFlight()))
            {
                nextNs = Math.min(nextNs, retryAtNs);
            }
        }
        if (!recovering)
        {
            transmitReady(nowNs);
        }
        return nextNs;
    }

    /** Whether the shard's leader's node has a free request slot (or a request this pass is already filling). */
    private boolean nodeCanTake()
    {
        return channel == null || channel.canSend();
    }

    private void transmitReady(final long nowNs)
    {
        while (!recovering && inflight.size() < producer.maxInFlight && nodeCanTake())
        {
            final ProducerBatch batch;
            synchronized (this)
            {
                batch = ready.poll();
            }
            if (batch == null)
            {
                return;
            }
            if (nowNs - batch.deadlineNs >= 0)
            {
                finish(batch, null, new TributaryException(where() + ": a batch of " + batch.describe() + " waited "
                    + (nowNs - batch.createdNs) / 1_000_000 + " ms, past the delivery timeout of "
                    + producer.deliveryTimeoutNs / 1_000_000 + " ms, before it could be sent; nothing was stored"));
                renumberAfterUnsent(batch);
                continue;
            }
            inflight.add(batch);
            transmit(batch, false);
        }
    }

    private void transmit(final ProducerBatch batch, final boolean alone)
    {
        if (!ensureChannel())
        {
            batch.attempts++;
            retryLater(batch, new TributaryException(where() + " has no replicas yet (placement in progress)"),
                System.nanoTime());
            return;
        }
        if (batch.newEpoch)
        {
            batch.newEpoch = false;
            renumberFrom(batch, true);
        }
        batch.applyAssignment();
        batch.attempts++;
        batch.needsResend = false;
        batch.sentAlone = alone;
        if (batch.attempts > 1)
        {
            ProduceTracing.retried(batch.span, batch.attempts, batch.lastError);
        }
        batchesOutstanding++;
        CompletableFuture<AppendOutcome> reply;
        try
        {
            reply = channel.append(batch.item);
        }
        catch (final RuntimeException e)
        {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((content, error) -> producer.post(() -> onReply(batch, content, error)));
    }

    private boolean ensureChannel()
    {
        if (channel != null && channelStale && batchesOutstanding == 0 && conditionals.outstanding() == 0)
        {
            channel.close();
            channel = null;
        }
        if (channel == null)
        {
            if (!placement.isPlaced())
            {
                refreshWanted = true;
                return false;
            }
            channel = producer.channels.open(placement);
            channelStale = false;
        }
        return true;
    }

    private void onReply(final ProducerBatch batch, final AppendOutcome content, final Throwable error)
    {
        batchesOutstanding--;
        if (!batch.finished)
        {
            if (error != null)
            {
                retryLater(batch, unwrap(error), System.nanoTime());
            }
            else
            {
                onAppendReply(batch, content);
            }
        }
        popFinished();
    }

    private void onAppendReply(final ProducerBatch batch, final AppendOutcome reply)
    {
        if (reply.status() == null)
        {
            giveUp(batch, new OutcomeUnknownException(where() + " answered a status this client does not know: "
                + reply.describe(), null));
            return;
        }
        switch (reply.status())
        {
            case APPENDED, DUPLICATE -> onStored(batch, reply);
            case NOT_LEADER, SHARD_NOT_HOSTED, BUSY, DISK_FULL ->
            {
                // Nothing was stored: resend (to the leader the node named, after a placement refresh, or after a
                // backoff). Such refusals use no retry: only the delivery timeout bounds them.
                final AppendRejectedException rejected = rejected(batch, reply);
                batch.attempts--;
                batch.refusals++;
                retryLater(batch, rejected, System.nanoTime());
                if (reply.status() == AppendStatus.NOT_LEADER && reply.message() != null && !reply.message().isEmpty()
                    && batch.refusals <= 2)
                {
                    // The node named the leader, and the channel now asks it: go at once (twice at most, then back off,
                    // so a leadership still moving is not chased in a tight loop).
                    retryAtNs = System.nanoTime();
                }
                if (reply.status() == AppendStatus.SHARD_NOT_HOSTED)
                {
                    refreshWanted = true;
                    placementMoved = true;
                }
            }
            case OUTCOME_UNKNOWN ->
            {
                retryLater(batch, new OutcomeUnknownException(where() + ": " + reply.message(), null),
                    System.nanoTime());
                if (batch.attempts == 1)
                {
                    // The node answered: its entry failed after submitting, nearly always because its leadership moved
                    // (a preferred-leader move, an election). The first resend goes at once: the node answers it
                    // NOT_LEADER naming the new leader (followed at once too), or DUPLICATE if the entry was stored.
                    // A back-off here cost every producer of the shard 100 ms at each leadership move.
                    retryAtNs = System.nanoTime();
                }
            }
            case SEQUENCE_GAP, OUT_OF_ORDER_SEQUENCE, UNKNOWN_PRODUCER ->
            {
                final AppendRejectedException rejected = rejected(batch, reply);
                if (batch.sentAlone)
                {
                    // Every earlier batch is settled, yet the shard disagrees on the sequence: start a new epoch here,
                    // now.
                    batch.newEpoch = true;
                    batch.lastError = rejected;
                    batch.needsResend = true;
                    recovering = true;
                }
                else
                {
                    // An earlier batch failed or was refused: settle the earlier ones first.
                    retryLater(batch, rejected, System.nanoTime());
                }
            }
            case STALE_EPOCH -> giveUp(batch, batch.attempts > 1
                ? new OutcomeUnknownException(where()
                    + ": a resent batch was refused as STALE_EPOCH; an earlier attempt"
                    + " may have stored it: " + reply.message(), rejected(batch, reply))
                : rejected(batch, reply));
            default -> refuse(batch, rejected(batch, reply));
        }
    }

    private void onStored(final ProducerBatch batch, final AppendOutcome reply)
    {
        final long count = reply.lastOffset() - reply.baseOffset() + 1;
        if (reply.baseOffset() < 0 || count != batch.recordCount)
        {
            giveUp(batch, new OutcomeUnknownException(where() + " answered " + reply.status() + " with offsets ["
                + reply.baseOffset() + ", " + reply.lastOffset() + "] for a batch of " + batch.describe()
                + "; the offsets do not match the record count", null));
            return;
        }
        finish(batch, reply, null);
    }

    /** The shard stored nothing of this batch: fail it; the following batches take over its sequence numbers. */
    private void refuse(final ProducerBatch batch, final TributaryException error)
    {
        finish(batch, null, error);
        renumberFrom(batch, false);
    }

    /** Nobody knows whether the shard stored this batch: fail it; the following batches start a new epoch. */
    private void giveUp(final ProducerBatch batch, final TributaryException error)
    {
        finish(batch, null, error);
        renumberFrom(batch, true);
    }

    private void retryLater(final ProducerBatch batch, final Throwable error, final long nowNs)
    {
        batch.lastError = error;
        batch.needsResend = true;
        recovering = true;
        final long backoffMs = Math.min(producer.retryBackoffMaxMs,
            producer.retryBackoffMs << Math.min(20, Math.max(0, batch.attempts + batch.refusals - 1)));
        retryAtNs = Math.max(retryAtNs, nowNs + backoffMs * 1_000_000L);
        if (!(error instanceof AppendRejectedException))
        {
            refreshWanted = true;
        }
    }

    /**
     * Called when nothing is outstanding and the backoff has passed: fails what ran out of
     * attempts or time, then resends the oldest unacknowledged batch alone.
     */
    private void recover(final long nowNs)
    {
        popFinished();
        while (!inflight.isEmpty())
        {
            final ProducerBatch head = inflight.peek();
            if (!head.needsResend)
            {
                throw new IllegalStateException(where() + ": batch " + head.describe()
                    + " is neither settled nor waiting" + " for a resend while nothing is outstanding");
            }
            if (head.attempts > producer.retries || nowNs - head.deadlineNs >= 0)
            {
                giveUp(head, new OutcomeUnknownException(where() + ": gave up on a batch of " + head.describe()
                    + " after " + head.attempts + " attempts in " + (nowNs - head.createdNs) / 1_000_000
                    + " ms (retries = " + producer.retries + ", delivery timeout = "
                    + producer.deliveryTimeoutNs / 1_000_000 + " ms); it may or may not be stored. Last error: "
                    + head.lastError, head.lastError));
                popFinished();
                continue;
            }
            if (refreshWanted)
            {
                refreshWanted = false;
                stream.requestRefresh(nowNs);
            }
            if (placementMoved && stream.refreshInFlight())
            {
                return;
            }
            placementMoved = false;
            transmit(head, true);
            return;
        }
        recovering = false;
    }

    /**
     * Renumbers the unsettled batches after {@code from} (and {@code from} itself when starting a
     * new epoch at it) and the ready queue: either in {@code from}'s epoch from its base sequence
     * (it was refused, so its numbers are free), or in a new epoch from 0.
     */
    private void renumberFrom(final ProducerBatch from, final boolean newEpoch)
    {
        if (!producer.idempotent)
        {
            return;
        }
        synchronized (this)
        {
            final boolean includeFrom = newEpoch && !from.finished;
            if (!newEpoch && !sameEpochAfter(from))
            {
                renumberFrom(from, true);
                return;
            }
            if (newEpoch)
            {
                startEpochLocked();
            }
            int sequence = newEpoch ? 0 : from.baseSequence;
            final short renumberEpoch = newEpoch ? epoch : from.epoch;
            boolean after = false;
            for (final ProducerBatch batch : inflight)
            {
                if (batch == from)
                {
                    after = true;
                    if (!includeFrom)
                    {
                        continue;
                    }
                }
                if (after && !batch.finished)
                {
                    batch.assign(renumberEpoch, sequence);
                    sequence += batch.recordCount;
                }
            }
            for (final ProducerBatch batch : ready)
            {
                batch.assign(renumberEpoch, sequence);
                sequence += batch.recordCount;
            }
            nextSequence = sequence;
        }
    }

    /** True if every unsettled batch after {@code from}, and the next sequence, belong to {@code from}'s epoch. */
    private boolean sameEpochAfter(final ProducerBatch from)
    {
        if (from.epoch != epoch)
        {
            return false;
        }
        boolean after = false;
        for (final ProducerBatch batch : inflight)
        {
            after |= batch == from;
            if (after && !batch.finished && batch.epoch != from.epoch)
            {
                return false;
            }
        }
        for (final ProducerBatch batch : ready)
        {
            if (batch.epoch != from.epoch)
            {
                return false;
            }
        }
        return true;
    }

    /** A batch taken from the ready queue expired unsent: the ready batches after it move down. */
    private void renumberAfterUnsent(final ProducerBatch expired)
    {
        if (!producer.idempotent)
        {
            return;
        }
        synchronized (this)
        {
            int sequence = expired.baseSequence;
            for (final ProducerBatch batch : ready)
            {
                if (batch.epoch != expired.epoch)
                {
                    return;
                }
                batch.assign(expired.epoch, sequence);
                sequence += batch.recordCount;
            }
            if (epoch == expired.epoch)
            {
                nextSequence = sequence;
            }
        }
    }

    private void finish(final ProducerBatch batch, final AppendOutcome stored, final Throwable error)
    {
        if (batch.finished)
        {
            throw new IllegalStateException(where() + ": batch " + batch.describe() + " finished twice");
        }
        // Memory first: a caller that sees its future complete may rely on the room being free.
        producer.memory.release(batch.reservedBytes);
        if (stored != null)
        {
            batch.succeed(stream.name, shard, stored.baseOffset(), stored.status() == AppendStatus.DUPLICATE);
        }
        else
        {
            batch.fail(error);
        }
    }

    private void popFinished()
    {
        while (!inflight.isEmpty() && inflight.peek().finished)
        {
            inflight.poll();
        }
    }

    /** On the I/O thread: new placement from the metadata; the channel is replaced once nothing is outstanding. */
    void onPlacement(final StreamInfo.ShardInfo fresh)
    {
        if (!fresh.replicas().equals(placement.replicas()) || !fresh.groupId().equals(placement.groupId()))
        {
            placement = fresh;
            channelStale = channel != null;
        }
    }

    // ------------------------------------------------------------------ conditional appends

    /** On the I/O thread: queue a conditional append; it is sent on the next pass. */
    void enqueue(final ConditionalRequest request)
    {
        final TributaryException dead;
        synchronized (this)
        {
            dead = deadReason;
        }
        conditionals.enqueue(request, dead);
    }

    /** The channel to the shard's replicas for a send, or null while the shard is not placed (a refresh is due). */
    ShardChannel channelForSend()
    {
        return ensureChannel() ? channel : null;
    }

    /** A replica said it does not host the shard: the next pass refreshes the placement. */
    void wantPlacementRefresh()
    {
        refreshWanted = true;
    }

    // ------------------------------------------------------------------ close

    /**
     * On the I/O thread, when this shard stops for good (producer closed, stream deleted, a bug):
     * fails everything still open, and every later send at once.
     */
    void failAll(final String reason, final Throwable cause)
    {
        final ArrayDeque<ProducerBatch> unsent = new ArrayDeque<>();
        synchronized (this)
        {
            if (deadReason == null)
            {
                deadReason = new TributaryException(where() + ": " + reason, cause);
            }
            if (open != null)
            {
                open.batchLength = builder.sizeInBytes();
                unsent.add(open);
                open = null;
            }
            unsent.addAll(ready);
            ready.clear();
        }
        for (final ProducerBatch batch : inflight)
        {
            if (!batch.finished)
            {
                finish(batch, null, new OutcomeUnknownException(where() + ": " + reason + " while a batch of "
                    + batch.describe() + " was in flight; it may or may not be stored", cause != null ? cause
                        : batch.lastError));
            }
        }
        inflight.clear();
        for (final ProducerBatch batch : unsent)
        {
            finish(batch, null, new TributaryException(where() + ": " + reason + " before a batch of "
                + batch.describe() + " was sent; nothing was stored", cause));
        }
        conditionals.failQueued(reason, cause);
    }

    void closeChannel()
    {
        if (channel != null)
        {
            channel.close();
            channel = null;
        }
    }

    // ------------------------------------------------------------------ helpers

    private AppendRejectedException rejected(final ProducerBatch batch, final AppendOutcome reply)
    {
        return new AppendRejectedException(where() + " refused a batch of " + batch.describe() + " from producer "
            + producer.producerId + ": " + reply.status() + ": " + reply.message(), reply.status(), reply.expected(),
            reply.found());
    }

    static Throwable unwrap(final Throwable error)
    {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        return cause;
    }

    String where()
    {
        return "stream '" + stream.name + "' shard " + shard;
    }
}
