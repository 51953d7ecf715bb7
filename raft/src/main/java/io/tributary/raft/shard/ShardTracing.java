package io.tributary.raft.shard;

import java.util.ArrayList;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.tributary.protocol.AppendItemDescriptor;

import org.agrona.DirectBuffer;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Server-side spans of a produce: {@code tributary.append} on the leader, from the request's
 * arrival until its entry is applied there (replication and commit), and {@code tributary.apply}
 * on every replica around the append to its shard log. The parent comes from the W3C
 * traceparent the client puts in the append request, so one trace spans client and servers.
 * With {@link OpenTelemetry#noop()} every call is a cheap no-op.
 */
public final class ShardTracing
{
    public static final AttributeKey<Long> RAFT_INDEX = AttributeKey.longKey("tributary.raft.index");
    public static final AttributeKey<String> GROUP = AttributeKey.stringKey("tributary.raft.group");
    public static final AttributeKey<String> PEER = AttributeKey.stringKey("tributary.raft.peer");

    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>()
    {
        @Override
        public Iterable<String> keys(final String carrier)
        {
            return Collections.singletonList("traceparent");
        }

        @Override
        public String get(final String carrier, final String key)
        {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    /** Bound on leader spans waiting for their entry's apply; past it they are ended. */
    private static final int MAX_OPEN_SPANS = 10_000;

    private final Tracer tracer;
    private final boolean enabled;
    private final String peerId;
    private final ConcurrentHashMap<String, Span> leaderSpans = new ConcurrentHashMap<>();

    public ShardTracing(final OpenTelemetry openTelemetry, final String peerId)
    {
        this.tracer = openTelemetry.getTracer("io.tributary.raft");
        this.enabled = openTelemetry != OpenTelemetry.noop();
        this.peerId = peerId;
    }

    public static ShardTracing disabled()
    {
        return new ShardTracing(OpenTelemetry.noop(), "");
    }

    private static Context parent(final String traceparent)
    {
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, TRACEPARENT);
    }

    public boolean enabled()
    {
        return enabled;
    }

    /**
     * Leader: a batch carrying {@code traceparent} has reached the node's front end and is queued for the
     * shard's next Raft entry. Call only when {@link #enabled()}.
     */
    public void onLeaderAppend(final String traceparent, final RaftGroupId groupId)
    {
        if (!enabled || traceparent == null)
        {
            return;
        }
        final Span span = tracer.spanBuilder("tributary.append").setSpanKind(SpanKind.SERVER)
            .setParent(parent(traceparent))
            .setAttribute(GROUP, groupId.toString()).setAttribute(PEER, peerId).startSpan();
        final Span previous = leaderSpans.put(traceparent, span);
        if (previous != null)
        {
            previous.addEvent("superseded by a resend of the same batch");
            previous.end();
        }
        if (leaderSpans.size() > MAX_OPEN_SPANS)
        {
            endAll("too many appends never applied here");
        }
    }

    /** Ends every open leader span: leadership moved, so their entries will not be applied as leader here. */
    public void endAll(final String reason)
    {
        for (final String key : new ArrayList<>(leaderSpans.keySet()))
        {
            final Span span = leaderSpans.remove(key);
            if (span != null)
            {
                span.addEvent(reason);
                span.end();
            }
        }
    }

    /**
     * Any replica: the append item at {@code itemOffset} of a committed entry is being applied. Close the scope when
     * done.
     */
    Scope onApply(final DirectBuffer entry, final int itemOffset, final long raftIndex, final RaftGroupId groupId)
    {
        if (!enabled)
        {
            return Scope.NOOP;
        }
        final String traceparent = AppendItemDescriptor.traceparent(entry, itemOffset);
        if (traceparent == null)
        {
            return Scope.NOOP;
        }
        final Span leaderSpan = leaderSpans.remove(traceparent);
        final Context parentContext = leaderSpan != null ? Context.root().with(leaderSpan) : parent(traceparent);
        if (leaderSpan != null)
        {
            leaderSpan.setAttribute(RAFT_INDEX, raftIndex);
            leaderSpan.addEvent("committed");
        }
        final Span apply = tracer.spanBuilder("tributary.apply").setParent(parentContext)
            .setAttribute(RAFT_INDEX, raftIndex).setAttribute(GROUP, groupId.toString()).setAttribute(PEER, peerId)
                .startSpan();
        return () ->
        {
            apply.end();
            if (leaderSpan != null)
            {
                leaderSpan.end();
            }
        };
    }

    /** An open tracing scope; closing it ends its spans. */
    @FunctionalInterface
    interface Scope extends AutoCloseable
    {
        Scope NOOP = () -> { };

        @Override
        void close();
    }
}
