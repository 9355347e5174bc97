using Brokkr.ServiceDefaults.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Brokkr.ServiceDefaults.Tracing;

/// <summary>
/// Builds the TracerProvider. It is built even without an exporter: listening to the sources is what makes ASP.NET
/// Core and HttpClient create activities, so W3C traceparent flows from agent to broker to database.
/// </summary>
internal static class TracingPipeline
{
    public static readonly string[] Sources = ["Brokkr.*", "Microsoft.AspNetCore", "System.Net.Http", "Npgsql"];

    /// <param name="sources">The activity sources to listen to; tests pass a private one.</param>
    public static TracerProvider? Build(OtelSettings otel, ResourceBuilder resource, string[]? sources = null)
    {
        if (otel.SdkDisabled)
        {
            return null;
        }

        var builder = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(sources ?? Sources)
            .SetSampler(otel.Sampler);
        if (otel.TracesExporters.Contains(OtelSettings.Otlp))
        {
            builder.AddOtlpExporter(options =>
            {
                otel.ConfigureOtlp(options, otel.OtlpTracesEndpoint, "/v1/traces");
                if (otel.SpanExportDelayMilliseconds is { } delay)
                {
                    options.BatchExportProcessorOptions.ScheduledDelayMilliseconds = delay;
                }
            });
        }

        return builder.Build();
    }
}
