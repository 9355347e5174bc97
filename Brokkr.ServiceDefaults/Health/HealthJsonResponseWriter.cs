using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brokkr.ServiceDefaults.Health;

/// <summary>
/// The default health body: overall status plus every check that ran, with description and error for checks that
/// are not healthy, e.g. <c>{"status":"unhealthy","checks":[{"name":"database","status":"unhealthy",
/// "description":"...","error":"...","duration_ms":3}]}</c>.
/// </summary>
public static class HealthJsonResponseWriter
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", StatusWord(report.Status));
        json.WriteStartArray("checks");
        foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("status", StatusWord(entry.Status));
            if (entry.Status != HealthStatus.Healthy)
            {
                if (!string.IsNullOrEmpty(entry.Description))
                {
                    json.WriteString("description", entry.Description);
                }

                if (entry.Exception is not null)
                {
                    json.WriteString("error", entry.Exception.Message);
                }
            }

            json.WriteNumber("duration_ms", (long)Math.Round(entry.Duration.TotalMilliseconds));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    public static string StatusWord(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
