using System.Reflection;
using System.Text.Json;
using Brokkr.Agent.Runtime;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brokkr.Agent.Health;

/// <summary>
/// The agent's /health body (brokkr-core.md §6), exactly <c>{"status","kubernetes":{"connected","error"?},"broker":
/// {"connected","last_heartbeat"?},"uptime_seconds","version","timestamp"}</c>: optional members omitted when absent,
/// nothing else. The status code comes from the same checks as /readyz.
/// </summary>
public static class AgentHealthDocument
{
    private static readonly string Version =
        typeof(AgentHealthDocument).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? "0.0.0";

    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        var state = context.RequestServices.GetRequiredService<AgentRuntimeState>();
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status == HealthStatus.Healthy ? "healthy" : "unhealthy");

        json.WriteStartObject("kubernetes");
        var kubernetes = report.Entries.GetValueOrDefault(KubernetesHealthCheck.Name);
        json.WriteBoolean("connected", kubernetes.Status == HealthStatus.Healthy);
        if (kubernetes.Status != HealthStatus.Healthy)
        {
            json.WriteString("error", kubernetes.Description ?? kubernetes.Exception?.Message ?? "not checked");
        }

        json.WriteEndObject();

        json.WriteStartObject("broker");
        var broker = state.Broker;
        json.WriteBoolean("connected", broker.Connected);
        if (broker.LastHeartbeat is { } lastHeartbeat)
        {
            json.WriteString("last_heartbeat", lastHeartbeat.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"));
        }

        json.WriteEndObject();

        json.WriteNumber("uptime_seconds", (long)Math.Max(0, (now - state.StartedAt).TotalSeconds));
        json.WriteString("version", Version);
        json.WriteString("timestamp", now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"));
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
