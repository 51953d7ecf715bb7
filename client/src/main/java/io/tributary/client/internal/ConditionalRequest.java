package io.tributary.client.internal;

import java.util.concurrent.CompletableFuture;

import io.opentelemetry.api.trace.Span;
import io.tributary.client.ConditionalResult;

/** One conditional append: a single-record, non-idempotent batch sent at once, never resent by the producer. */
final class ConditionalRequest
{
    /** The append item (condition and single-record batch), sent again only when a node refused it unseen. */
    final byte[] item;
    final int recordBytes;
    final long expectedKeyLastOffset;
    final Span span;
    final CompletableFuture<ConditionalResult> future;

    int attempts;

    ConditionalRequest(final byte[] item, final int recordBytes, final long expectedKeyLastOffset, final Span span,
        final CompletableFuture<ConditionalResult> future)
    {
        this.item = item;
        this.recordBytes = recordBytes;
        this.expectedKeyLastOffset = expectedKeyLastOffset;
        this.span = span;
        this.future = future;
    }
}
