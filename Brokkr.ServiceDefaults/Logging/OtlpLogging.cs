using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;

namespace Brokkr.ServiceDefaults.Logging;

/// <summary>
/// Logs over OTLP as well as to the console when an OTLP endpoint is configured (the AppHost sets
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> to the Aspire dashboard, whose structured-log page shows them). The exporter reads
/// the standard OTEL_EXPORTER_OTLP_* settings itself.
/// </summary>
public static class OtlpLogging
{
    public static TBuilder AddOtlpLogging<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) ||
            !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"]))
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
                logging.AddOtlpExporter();
            });
        }

        return builder;
    }
}
