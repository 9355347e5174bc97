using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>
/// <c>GET /stacks/{id}/events</c> and <c>/stacks/{id}/logs</c> (tag <c>stack-telemetry</c>): the retained window,
/// newest first, with the retention metadata in every answer so no caller mistakes this buffer for a log store. The
/// admin and the stack's generator may read; agents may not (no agent reads another's stream, and none needs its own).
/// </summary>
public static class StackTelemetryApi
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 5000;

    public const string LongTermSinkHint =
        "Brokkr retains telemetry for at most 6 hours. For long-term log centralisation, ship to Datadog or equivalent.";

    public static RouteGroupBuilder MapStackTelemetryApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/stacks/{id}").WithTags("stack-telemetry");
        group.MapGet("/events", Events);
        group.MapGet("/logs", Logs);
        return api;
    }

    private static async Task<Ok<K8sEventHistoryResponse>> Events(Guid id, DateTime? since, long? limit, Caller caller, BrokkrDbContext db,
        IOptionsMonitor<TelemetryOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var window = await WindowAsync(id, since, limit, caller, db, options.CurrentValue, time);
        var rows = await TelemetryReads.EventWindowAsync(db, id, window.Since, window.Limit, cancellationToken);
        var oldest = await TelemetryReads.OldestAsync(db, TelemetryMetrics.EventsTable, id, window.Floor, cancellationToken);
        return TypedResults.Ok(new K8sEventHistoryResponse(window.Retention(oldest), rows));
    }

    private static async Task<Ok<PodLogHistoryResponse>> Logs(Guid id, DateTime? since, long? limit, Caller caller, BrokkrDbContext db,
        IOptionsMonitor<TelemetryOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var window = await WindowAsync(id, since, limit, caller, db, options.CurrentValue, time);
        var rows = await TelemetryReads.LineWindowAsync(db, id, window.Since, window.Limit, cancellationToken);
        var oldest = await TelemetryReads.OldestAsync(db, TelemetryMetrics.LogsTable, id, window.Floor, cancellationToken);
        return TypedResults.Ok(new PodLogHistoryResponse(window.Retention(oldest), rows));
    }

    /// <summary>
    /// Authorizes the read (agents 403, an unknown stack 404, another generator's 403) and clamps the query: a
    /// <c>since</c> before the window is the window's start, the limit is 500 by default and within [1, 5000].
    /// </summary>
    private static async Task<Window> WindowAsync(Guid id, DateTime? since, long? limit, Caller caller, BrokkrDbContext db,
        TelemetryOptions options, TimeProvider time)
    {
        if (caller.IsAgent)
        {
            throw ApiException.Forbidden("telemetry_read_denied", "agents cannot read stack telemetry");
        }
        await db.OwnedStackAsync(id, caller);
        var effective = options.EffectiveRetentionSeconds;
        var floor = time.GetUtcNow().UtcDateTime.AddSeconds(-effective);
        var from = since is { } s && s.ToUniversalTime() > floor ? s.ToUniversalTime() : floor;
        return new Window(from, floor, (int)Math.Clamp(limit ?? DefaultLimit, 1, MaxLimit), effective);
    }

    private sealed record Window(DateTime Since, DateTime Floor, int Limit, int EffectiveSeconds)
    {
        public RetentionInfo Retention(DateTime? oldest) =>
            new(TelemetryOptions.RetentionCeilingSeconds, EffectiveSeconds, LongTermSinkHint, oldest);
    }
}
