package io.tributary.client.internal;

import java.util.List;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * The producer's spans: one {@code tributary.produce} (kind PRODUCER) per batch, from the moment
 * it is sealed until its outcome, whose W3C traceparent travels in the append request so that
 * the servers' {@code tributary.append} and {@code tributary.apply} spans are its children.
 * Records sent inside a span are linked to their batch's span. With {@link OpenTelemetry#noop()}
 * nothing is allocated.
 */
final class ProduceTracing
{
    static final String SPAN_NAME = "tributary.produce";
    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> STREAM = AttributeKey.stringKey("tributary.stream");
    static final AttributeKey<Long> SHARD = AttributeKey.longKey("tributary.shard");
    static final AttributeKey<Long> RECORD_COUNT = AttributeKey.longKey("tributary.batch.record_count");
    static final AttributeKey<Long> BATCH_BYTES = AttributeKey.longKey("tributary.batch.bytes");
    static final AttributeKey<Long> PRODUCER_ID = AttributeKey.longKey("tributary.producer.id");
    static final AttributeKey<Long> BASE_SEQUENCE = AttributeKey.longKey("tributary.batch.base_sequence");
    static final AttributeKey<Long> BASE_OFFSET = AttributeKey.longKey("tributary.batch.base_offset");
    static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("tributary.batch.attempts");
    static final AttributeKey<Boolean> CONDITIONAL = AttributeKey.booleanKey("tributary.batch.conditional");
    static final AttributeKey<String> ERROR = AttributeKey.stringKey("tributary.error");
    /** Links per batch, at most: a batch of thousands of traced records keeps the first ones. */
    static final int MAX_LINKS = 32;

    private static final TextMapSetter<String[]> SETTER = (carrier, key, value) ->
    {
        if ("traceparent".equals(key))
        {
            carrier[0] = value;
        }
    };

    private final Tracer tracer;
    private final boolean enabled;

    ProduceTracing(final OpenTelemetry openTelemetry)
    {
        this.tracer = openTelemetry.getTracer("io.tributary.client");
        this.enabled = openTelemetry != OpenTelemetry.noop();
    }

    boolean enabled()
    {
        return enabled;
    }

    /** The span context of the caller's current span, to link from its record's batch; null if none. */
    SpanContext callerContext()
    {
        if (!enabled)
        {
            return null;
        }
        final SpanContext context = Span.current().getSpanContext();
        return context.isValid() ? context : null;
    }

    /** Starts a batch's span; null when tracing is off. */
    Span start(final String stream, final int shard, final int recordCount, final int batchBytes, final long producerId,
        final int baseSequence, final boolean conditional, final List<SpanContext> links)
    {
        if (!enabled)
        {
            return null;
        }
        final SpanBuilder builder = tracer.spanBuilder(SPAN_NAME).setSpanKind(SpanKind.PRODUCER).setNoParent()
            .setAttribute(MESSAGING_SYSTEM, "tributary").setAttribute(DESTINATION, stream)
            .setAttribute(STREAM, stream).setAttribute(SHARD, (long)shard)
            .setAttribute(RECORD_COUNT, (long)recordCount).setAttribute(BATCH_BYTES, (long)batchBytes)
            .setAttribute(CONDITIONAL, conditional);
        if (producerId >= 0)
        {
            builder.setAttribute(PRODUCER_ID, producerId).setAttribute(BASE_SEQUENCE, (long)baseSequence);
        }
        if (links != null)
        {
            links.forEach(builder::addLink);
        }
        return builder.startSpan();
    }

    /** The span's W3C traceparent ({@code 00-traceId-spanId-flags}), or null without a span. */
    static String traceparent(final Span span)
    {
        if (span == null || !span.getSpanContext().isValid())
        {
            return null;
        }
        final String[] carrier = new String[1];
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), carrier, SETTER);
        return carrier[0];
    }

    static void retried(final Span span, final int attempt, final Throwable error)
    {
        if (span != null)
        {
            span.addEvent("retry", Attributes.of(ATTEMPTS, (long)attempt, ERROR, String.valueOf(error)));
        }
    }

    static void succeeded(final Span span, final long baseOffset, final int attempts, final boolean duplicate)
    {
        if (span != null)
        {
            span.setAttribute(BASE_OFFSET, baseOffset);
            span.setAttribute(ATTEMPTS, (long)attempts);
            if (duplicate)
            {
                span.addEvent("duplicate: stored by an earlier attempt");
            }
            span.end();
        }
    }

    static void failed(final Span span, final int attempts, final Throwable error)
    {
        if (span != null)
        {
            span.setAttribute(ATTEMPTS, (long)attempts);
            span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
            span.recordException(error);
            span.end();
        }
    }
}
