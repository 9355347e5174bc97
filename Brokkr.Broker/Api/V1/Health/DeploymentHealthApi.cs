using System.Text.Json;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Health;

public sealed record HealthStatusUpdate(List<DeploymentObjectHealthUpdate> DeploymentObjects);

/// <summary>One entry of an agent's report; <see cref="Summary"/> is a HealthSummary object, stored as its JSON text.</summary>
public sealed record DeploymentObjectHealthUpdate(Guid Id, string Status, DateTimeOffset CheckedAt, JsonElement? Summary = null);

public sealed record DeploymentHealthResponse(Guid DeploymentObjectId, List<DeploymentHealth> HealthRecords, string OverallStatus);

public sealed record StackHealthResponse(Guid StackId, string OverallStatus, List<DeploymentObjectHealthSummary> DeploymentObjects);

public sealed record DeploymentObjectHealthSummary(Guid Id, string Status, int HealthyAgents, int DegradedAgents, int FailingAgents);

/// <summary>
/// Deployment health (spec §4.5 PATCH health-status, §4.9 reads): agents report per-object verdicts, the admin reads
/// them rolled up per object and per stack.
/// </summary>
public static class DeploymentHealthApi
{
    public static RouteGroupBuilder MapDeploymentHealthApi(this RouteGroupBuilder api)
    {
        api.MapPatch("/agents/{id}/health-status", Report).WithTags("Health");
        api.MapGet("/deployment-objects/{id}/health", ForDeploymentObject).WithTags("Health");
        api.MapGet("/stacks/{id}/health", ForStack).WithTags("Health");
        return api;
    }

    private static async Task<Ok> Report(Guid id, Caller caller, Json<HealthStatusUpdate> body, BrokkrDbContext db)
    {
        caller.RequireAdminOrAgentSelf(id);
        await DeploymentHealthReports.UpsertAsync(db, id, body.Value.DeploymentObjects);
        return TypedResults.Ok();
    }

    /// <summary>No existence check (spec §4.9): an unknown object simply has no records.</summary>
    private static async Task<Ok<DeploymentHealthResponse>> ForDeploymentObject(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        var records = await db.DeploymentHealth.Where(h => h.DeploymentObjectId == id)
            .OrderByDescending(h => h.CheckedAt).ThenBy(h => h.Id).ToListAsync();
        return TypedResults.Ok(new DeploymentHealthResponse(id, records, RollUp(records.Select(r => r.Status))));
    }

    /// <summary>Per live deployment object with records, agents counted by verdict, newest object first.</summary>
    private static async Task<Ok<StackHealthResponse>> ForStack(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        var counts = await (
                from h in db.DeploymentHealth
                join d in db.DeploymentObjects on h.DeploymentObjectId equals d.Id
                where d.StackId == id && d.DeletedAt == null
                group h by new { d.Id, d.SequenceId, h.Status } into g
                select new { g.Key.Id, g.Key.SequenceId, g.Key.Status, Agents = g.Count() })
            .ToListAsync();
        var objects = counts.GroupBy(c => (c.Id, c.SequenceId)).OrderByDescending(g => g.Key.SequenceId)
            .Select(g => new DeploymentObjectHealthSummary(
                g.Key.Id,
                RollUp(g.Select(c => c.Status)),
                g.Where(c => c.Status == "healthy").Sum(c => c.Agents),
                g.Where(c => c.Status == "degraded").Sum(c => c.Agents),
                g.Where(c => c.Status == "failing").Sum(c => c.Agents)))
            .ToList();
        return TypedResults.Ok(new StackHealthResponse(id, RollUp(objects.Select(o => o.Status)), objects));
    }

    /// <summary>failing if any failing, else degraded if any, else healthy if any, else unknown.</summary>
    public static string RollUp(IEnumerable<string> statuses)
    {
        var seen = statuses.ToHashSet();
        return new[] { "failing", "degraded", "healthy" }.FirstOrDefault(seen.Contains) ?? "unknown";
    }
}
