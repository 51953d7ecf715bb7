package io.tributary.client.internal;

import io.tributary.client.AppendRejectedException;
import io.tributary.client.ConditionalResult;
import io.tributary.client.OutcomeUnknownException;
import io.tributary.client.TributaryException;
import io.tributary.format.AppendStatus;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A shard's conditional appends: each is one record with its condition, sent on its own (never batched: its outcome
 * is its own), at most {@link #IN_FLIGHT_MAX} at a time. One refused before any effect (not the leader, not hosted,
 * busy) is sent again, up to the producer's retries; one lost in transit is outcome-unknown, never resent (the
 * condition may have held once). I/O thread only.
 */
final class ShardConditionals
{
    private static final int IN_FLIGHT_MAX = 32;

    private final ProducerImpl producer;
    private final ShardProducer shard;
    private final ArrayDeque<ConditionalRequest> queued = new ArrayDeque<>();
    private int outstanding;

    ShardConditionals(final ProducerImpl producer, final ShardProducer shard)
    {
        this.producer = producer;
        this.shard = shard;
    }

    /** Conditional appends sent and not answered yet. */
    int outstanding()
    {
        return outstanding;
    }

    /** Queues a conditional append, or fails it at once when the shard has stopped for good ({@code dead}). */
    void enqueue(final ConditionalRequest request, final TributaryException dead)
    {
        if (dead != null)
        {
            failUnsent(request, dead.getMessage(), dead.getCause());
            return;
        }
        queued.add(request);
    }

    /** Sends what is queued, within the in-flight bound. */
    void send()
    {
        while (!queued.isEmpty() && outstanding < IN_FLIGHT_MAX)
        {
            final ConditionalRequest request = queued.poll();
            final ShardChannel channel = shard.channelForSend();
            if (channel == null)
            {
                complete(request, null, new TributaryException(shard.where() + " has no replicas yet "
                    + "(placement in progress); nothing was sent"));
                continue;
            }
            outstanding++;
            request.attempts++;
            CompletableFuture<AppendOutcome> reply;
            try
            {
                reply = channel.append(request.item);
            }
            catch (final RuntimeException e)
            {
                reply = CompletableFuture.failedFuture(e);
            }
            reply.whenComplete((content, error) -> producer.post(() ->
            {
                outstanding--;
                complete(request, content, error);
            }));
        }
    }

    /** Fails every queued conditional append: the shard stopped for good before they were sent. */
    void failQueued(final String reason, final Throwable cause)
    {
        for (final ConditionalRequest request : queued)
        {
            failUnsent(request, reason, cause);
        }
        queued.clear();
    }

    private void complete(final ConditionalRequest request, final AppendOutcome reply, final Throwable error)
    {
        if (error != null)
        {
            producer.memory.release(request.recordBytes);
            final Throwable cause = ShardProducer.unwrap(error);
            fail(request, cause instanceof TributaryException tributary ? tributary
                : new OutcomeUnknownException(shard.where()
                + ": conditional append failed in transit; it may or may not be stored: " + cause, cause));
            return;
        }
        if (reply.status() != null && reply.status().isRetriable() && request.attempts <= producer.retries)
        {
            // Refused before any effect (not the leader, not hosted, busy): a conditional append may be sent again.
            if (reply.status() == AppendStatus.SHARD_NOT_HOSTED)
            {
                shard.wantPlacementRefresh();
            }
            queued.add(request);
            return;
        }
        producer.memory.release(request.recordBytes);
        if (reply.status() == null)
        {
            fail(request, new OutcomeUnknownException(shard.where()
                + " answered a conditional append with a status this client does not know: " + reply.describe(),
                null));
            return;
        }
        switch (reply.status())
        {
            case APPENDED ->
            {
                ProduceTracing.succeeded(request.span, reply.baseOffset(), 1, false);
                request.future.complete(ConditionalResult.appended(shard.shard, reply.baseOffset()));
            }
            case KEY_CONDITION_FAILED, SHARD_CONDITION_FAILED ->
            {
                final ConditionalResult result =
                    ConditionalResult.conditionFailed(shard.shard, reply.expected(), reply.found());
                if (request.span != null)
                {
                    request.span.addEvent(result.toString());
                    request.span.end();
                }
                request.future.complete(result);
            }
            case OUTCOME_UNKNOWN -> fail(request, new OutcomeUnknownException(shard.where()
                + ": conditional append: " + reply.message(), null));
            default -> fail(request, new AppendRejectedException(shard.where() + " refused a conditional append: "
                + reply.status() + ": " + reply.message(), reply.status(), reply.expected(), reply.found()));
        }
    }

    private void failUnsent(final ConditionalRequest request, final String reason, final Throwable cause)
    {
        producer.memory.release(request.recordBytes);
        fail(request, new TributaryException(shard.where() + ": " + reason + " before a conditional append was sent;"
            + " nothing was stored", cause));
    }

    private static void fail(final ConditionalRequest request, final TributaryException error)
    {
        ProduceTracing.failed(request.span, 1, error);
        request.future.completeExceptionally(error);
    }
}
