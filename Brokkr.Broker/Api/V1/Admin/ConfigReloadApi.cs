using System.Text.Json.Nodes;
using Brokkr.Broker.Audit;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Configuration;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Brokkr.Broker.Api.V1.Admin;

public sealed record ConfigReloadResponse(DateTime ReloadedAt, List<ConfigChangeInfo> Changes, bool Success, string? Message);

/// <summary>
/// <c>POST /admin/config/reload</c> (admin only): re-reads the configuration sources and applies the dynamic
/// settings of <see cref="ConfigReloader"/> at once, audited as <c>config.reloaded</c> with the change set. An invalid
/// new configuration changes nothing and is answered 500 <c>config_reload_failed</c> naming the setting, as the
/// contract has it. A successful reload is then passed on to every other replica (<see cref="ConfigReloadFanOut"/>),
/// which re-reads its own sources; the answer is this replica's change set.
/// </summary>
public static class ConfigReloadApi
{
    public static RouteGroupBuilder MapConfigReloadApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/config/reload", Reload);
        return admin;
    }

    private static async Task<Ok<ConfigReloadResponse>> Reload(
        Caller caller, HttpContext http, ConfigReloader reloader, ConfigReloadFanOut replicas, BrokkrDbContext db, AuditQueue audit,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        caller.RequireAdmin();
        List<ConfigChangeInfo> changes;
        try
        {
            changes = await reloader.ReloadAsync();
        }
        catch (ConfigReloadException e)
        {
            throw new ApiException(StatusCodes.Status500InternalServerError, "config_reload_failed",
                "the configuration was not reloaded: " + e.Message);
        }
        var logger = loggers.CreateLogger(typeof(ConfigReloadApi).FullName!);
        logger.LogInformation("Configuration reloaded: {Changes}",
            ConfigChangeInfo.Describe(changes));
        var details = new JsonArray(changes.Select(c => (JsonNode)new JsonObject
        {
            ["key"] = c.Key,
            ["old_value"] = c.OldValue,
            ["new_value"] = c.NewValue,
        }).ToArray());
        audit.Record("config.reloaded", "config", null, caller, http, new JsonObject { ["changes"] = details });
        var told = await replicas.PublishAsync(db, cancellationToken);
        var message = changes.Count == 0 ? "no dynamic setting changed" : $"{changes.Count} setting(s) applied";
        return TypedResults.Ok(new ConfigReloadResponse(DateTime.UtcNow, changes, Success: true,
            message + (told ? "; the other replicas were asked to reload" : "; the other replicas could not be asked to reload")));
    }
}
