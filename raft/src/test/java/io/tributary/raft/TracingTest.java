package io.tributary.raft;

import io.tributary.protocol.net.LoopbackPorts;
import io.tributary.raft.node.LocalCluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.raft.meta.MetadataClient;
import io.tributary.raft.node.NodeConfig;
import io.tributary.raft.node.TributaryNode;
import io.tributary.raft.shard.ShardTracing;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One trace spans the producer and the server: produce -> tributary.append -> tributary.apply. */
class TracingTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void serverSpansAreChildrenOfTheProducersSpanWithTheirAttributes() throws Exception
    {
        final InMemorySpanExporter exporter = InMemorySpanExporter.create();
        final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build())
            .build();
        final int port = LoopbackPorts.reserve();
        final Properties properties = new Properties();
        properties.setProperty("node.id", "solo");
        properties.setProperty("node.port", Integer.toString(port));
        properties.setProperty("data.dir", dir.toString());
        properties.setProperty("metadata.peers", "solo@127.0.0.1:" + port);
        final NodeConfig config = NodeConfig.of(properties);
        try (TributaryNode node = TributaryNode.start(config, openTelemetry);
            MetadataClient metadata = new MetadataClient(config.metadataPeers, config.transport, 10_000))
        {
            LocalCluster.await("registered", 30_000, () -> metadata.nodeStates().containsValue("ACTIVE"));
            metadata.command("CREATE_STREAM", "traced", "1", "1", "-1", "-1");
            LocalCluster.await("placement", 30_000, () -> metadata.placed("traced"));
            final Span produce = openTelemetry.getTracer("test").spanBuilder("tributary.produce")
                .setSpanKind(SpanKind.PRODUCER).startSpan();
            final String[] traceparent = new String[1];
            try (Scope ignored = produce.makeCurrent())
            {
                W3CTraceContextPropagator.getInstance().inject(Context.current(), null, (carrier, key, value) ->
                {
                    if ("traceparent".equals(key))
                    {
                        traceparent[0] = value;
                    }
                });
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final RecordBatchBuilder builder = new RecordBatchBuilder(buffer).reset();
            builder.tryAppend(1L, "k".getBytes(), "traced value".getBytes());
            final int length = builder.build();
            // Through the node's front end, where the leader's span begins.
            final UUID group = UUID.fromString(metadata.query("DESCRIBE", "traced").split("\n")[1].split("\t")[1]);
            try (FrontEndProbe probe = new FrontEndProbe())
            {
                final byte[] batch = Arrays.copyOf(buffer.byteArray(), length);
                final List<FrontEndProbe.Item> items = List.of(new FrontEndProbe.Item(group,
                    FrontEndProbe.item(batch, 0, Long.MIN_VALUE, null, Long.MIN_VALUE, traceparent[0])));
                final FrontEndProbe.Result result = probe.produceUntilStored(config.address(), items, 30_000).get(0);
                assertThat(result.status()).as(String.valueOf(result)).isEqualTo(AppendStatus.APPENDED);
            }
            produce.end();
            LocalCluster.await("three spans", 10_000, () -> exporter.getFinishedSpanItems().size() >= 3);
            final List<SpanData> spans = exporter.getFinishedSpanItems();
            final SpanData client = find(spans, "tributary.produce");
            final SpanData append = find(spans, "tributary.append");
            final SpanData apply = find(spans, "tributary.apply");
            assertThat(append.getTraceId()).isEqualTo(client.getTraceId());
            assertThat(append.getParentSpanId()).isEqualTo(client.getSpanId());
            assertThat(append.getKind()).isEqualTo(SpanKind.SERVER);
            assertThat(append.getAttributes().get(ShardTracing.PEER)).isEqualTo("solo");
            assertThat(append.getAttributes().get(ShardTracing.RAFT_INDEX)).isPositive();
            assertThat(append.getEvents()).extracting(e -> e.getName()).contains("committed");
            assertThat(apply.getParentSpanId()).isEqualTo(append.getSpanId());
            assertThat(apply.getAttributes().get(ShardTracing.RAFT_INDEX))
                .isEqualTo(append.getAttributes().get(ShardTracing.RAFT_INDEX));
            assertThat(apply.getAttributes().get(ShardTracing.GROUP)).startsWith("group-");
        }
        finally
        {
            openTelemetry.close();
        }
    }

    private static SpanData find(final List<SpanData> spans, final String name)
    {
        return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
            .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans));
    }
}
