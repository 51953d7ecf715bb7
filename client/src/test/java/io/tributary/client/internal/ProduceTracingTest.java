package io.tributary.client.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.tributary.client.ProducerConfig;
import io.tributary.protocol.AppendItemDescriptor;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The producer's {@code tributary.produce} span and the traceparent it puts in the append request. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProduceTracingTest
{
    /** {@code 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>}, W3C Trace Context version 00. */
    static final String TRACEPARENT = "00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}";

    @TempDir
    Path dir;

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private OpenTelemetrySdk openTelemetry;
    private FakeCluster cluster;

    @BeforeEach
    void start()
    {
        openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
        cluster = new FakeCluster(dir);
    }

    @AfterEach
    void stop() throws Exception
    {
        cluster.close();
        openTelemetry.close();
    }

    @Test
    void eachBatchHasAProducerSpanWhoseTraceparentTravelsInTheAppendRequest() throws Exception
    {
        final FakeShard shard = cluster.createStream("traced", 1).get(0);
        final ProducerImpl producer = new ProducerImpl(new ProducerConfig().metadataPeers("m@127.0.0.1:1").lingerMs(50)
            .openTelemetry(openTelemetry), cluster.view(), cluster, 7);
        final Span caller = openTelemetry.getTracer("test").spanBuilder("caller").startSpan();
        final Scope scope = caller.makeCurrent();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                producer.send("traced", "k".getBytes(UTF_8), ("v" + i).getBytes(UTF_8));
            }
        }
        finally
        {
            scope.close();
        }
        caller.end();
        producer.flush();
        producer.close();

        // Batches leave as soon as the node has a slot, so the three records may travel in one batch or more:
        // each batch has its span, and each append request carries its own batch's traceparent.
        final List<SpanData> produce = exporter.getFinishedSpanItems().stream()
            .filter(span -> span.getName().equals("tributary.produce")).toList();
        assertThat(produce).isNotEmpty().hasSize(shard.requests().size());
        long records = 0;
        long bytes = 0;
        for (int i = 0; i < produce.size(); i++)
        {
            final SpanData span = produce.get(i);
            assertThat(span.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(span.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
            assertThat(span.getAttributes().get(ProduceTracing.STREAM)).isEqualTo("traced");
            assertThat(span.getAttributes().get(ProduceTracing.DESTINATION)).isEqualTo("traced");
            assertThat(span.getAttributes().get(ProduceTracing.MESSAGING_SYSTEM)).isEqualTo("tributary");
            assertThat(span.getAttributes().get(ProduceTracing.SHARD)).isZero();
            assertThat(span.getAttributes().get(ProduceTracing.PRODUCER_ID)).isEqualTo(7);
            assertThat(span.getAttributes().get(ProduceTracing.BASE_OFFSET)).isEqualTo(records);
            assertThat(span.getAttributes().get(ProduceTracing.ATTEMPTS)).isEqualTo(1);
            assertThat(span.getParentSpanContext().isValid()).as("a batch's span is a root").isFalse();
            assertThat(span.getLinks()).as("linked to the span the records were sent in").hasSize(1);
            assertThat(span.getLinks().get(0).getSpanContext()).isEqualTo(caller.getSpanContext());
            assertThat(span.getSpanContext().isSampled()).isTrue();
            final String traceparent = AppendItemDescriptor.traceparent(new UnsafeBuffer(shard.requests().get(i)), 0);
            assertThat(traceparent).matches(TRACEPARENT)
                .isEqualTo("00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getSpanContext()
                    .getTraceFlags().asHex());
            records += span.getAttributes().get(ProduceTracing.RECORD_COUNT);
            bytes += span.getAttributes().get(ProduceTracing.BATCH_BYTES);
        }
        assertThat(records).isEqualTo(3);
        assertThat(bytes).isEqualTo(shard.log().retainedBytes());
    }

    @Test
    void aFailedBatchEndsItsSpanWithAnErrorAndRetriesAreEvents() throws Exception
    {
        final FakeShard shard = cluster.createStream("traced", 1).get(0);
        shard.faults(request -> request == 0 ? FakeShard.Fault.LOSE_REPLY : FakeShard.Fault.NONE);
        shard.refuses(request -> new String(request, UTF_8).contains("refuse-me"));
        final ProducerImpl producer = new ProducerImpl(new ProducerConfig().metadataPeers("m@127.0.0.1:1").lingerMs(0)
            .retryBackoffMs(1).openTelemetry(openTelemetry), cluster.view(), cluster, 8);
        producer.send("traced", "k".getBytes(UTF_8), "ok".getBytes(UTF_8));
        producer.flush();
        producer.send("traced", "k".getBytes(UTF_8), "refuse-me".getBytes(UTF_8));
        producer.flush();
        producer.close();

        final List<SpanData> spans = exporter.getFinishedSpanItems();
        assertThat(spans).hasSize(2);
        final SpanData retried = spans.get(0);
        assertThat(retried.getAttributes().get(ProduceTracing.ATTEMPTS)).isEqualTo(2);
        assertThat(retried.getEvents()).extracting(event -> event.getName()).contains("retry",
            "duplicate: stored by an earlier attempt");
        final SpanData refused = spans.get(1);
        assertThat(refused.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(refused.getStatus().getDescription()).contains("INVALID_BATCH");
    }

    @Test
    void withoutOpenTelemetryNoTraceparentIsSent() throws Exception
    {
        final FakeShard shard = cluster.createStream("plain", 1).get(0);
        final ProducerImpl producer = new ProducerImpl(new ProducerConfig().metadataPeers("m@127.0.0.1:1"),
            cluster.view(),
            cluster, 9);
        producer.send("plain", "k".getBytes(UTF_8), "v".getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
        producer.close();
        assertThat(AppendItemDescriptor.traceparent(new UnsafeBuffer(shard.requests().get(0)), 0)).isNull();
    }
}
