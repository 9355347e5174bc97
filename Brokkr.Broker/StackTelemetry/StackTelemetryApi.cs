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

    /// <summary>What both reads bind: the stack, the contract's <c>since</c> and <c>limit</c>, and their services.</summary>
    public readonly record struct HistoryRequest(Guid Id, DateTime? Since, long? Limit, Caller Caller, BrokkrDbContext Db,
        IOptionsMonitor<TelemetryOptions> Options, TimeProvider Time, CancellationToken Cancellation);

    private static async Task<Ok<K8sEventHistoryResponse>> Events([AsParameters] HistoryRequest request)
    {
        var (retention, rows) = await HistoryAsync(request, TelemetryMetrics.EventsTable, TelemetryReads.EventWindowAsync);
        return TypedResults.Ok(new K8sEventHistoryResponse(retention, rows));
    }

    private static async Task<Ok<PodLogHistoryResponse>> Logs([AsParameters] HistoryRequest request)
    {
        var (retention, rows) = await HistoryAsync(request, TelemetryMetrics.LogsTable, TelemetryReads.LineWindowAsync);
        return TypedResults.Ok(new PodLogHistoryResponse(retention, rows));
    }

    private static async Task<(RetentionInfo Retention, List<T> Rows)> HistoryAsync<T>(HistoryRequest request, string table,
        Func<BrokkrDbContext, Guid, DateTime, int, CancellationToken, Task<List<T>>> read)
    {
        var window = await WindowAsync(request.Id, request.Since, request.Limit, request.Caller, request.Db, request.Options.CurrentValue, request.Time);
        var rows = await read(request.Db, request.Id, window.Since, window.Limit, request.Cancellation);
        var oldest = await TelemetryReads.OldestAsync(request.Db, table, request.Id, window.Floor, request.Cancellation);
        return (window.Retention(oldest), rows);
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
