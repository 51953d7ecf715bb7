package io.tributary.raft.node;

import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/** Builds the node's OpenTelemetry from its configuration: none (default), logging or OTLP. */
public final class Tracing
{
    private Tracing()
    {
    }

    public static OpenTelemetry openTelemetry(final NodeConfig config)
    {
        return openTelemetry(config.tracingExporter, config.otlpEndpoint, "tributary-node-" + config.nodeId);
    }

    public static OpenTelemetry openTelemetry(final String exporter, final String otlpEndpoint,
        final String serviceName)
    {
        final SpanExporter spanExporter;
        switch (exporter)
        {
            case "none":
                return OpenTelemetry.noop();
            case "logging":
                spanExporter = LoggingSpanExporter.create();
                break;
            case "otlp":
                spanExporter = OtlpGrpcSpanExporter.builder().setEndpoint(otlpEndpoint).build();
                break;
            default:
                throw new IllegalArgumentException("tracing exporter '" + exporter
                    + "' is unknown; use none, logging or otlp");
        }
        final SdkTracerProvider provider = SdkTracerProvider.builder()
            .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), serviceName))))
            .addSpanProcessor(BatchSpanProcessor.builder(spanExporter).build())
            .build();
        return OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    }

    public static void shutdown(final OpenTelemetry openTelemetry)
    {
        if (openTelemetry instanceof OpenTelemetrySdk sdk)
        {
            sdk.getSdkTracerProvider().shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
