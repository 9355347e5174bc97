using Brokkr.Broker.Api.V1.DeploymentObjects;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.WorkOrders;

/// <summary>Turns a create request into the order and its targeting rows, or a 400 <c>invalid_work_order</c> naming the field.</summary>
public static class WorkOrderCreation
{
    public const int DefaultMaxRetries = 3;
    public const int DefaultBackoffSeconds = 60;
    public const int DefaultClaimTimeoutSeconds = 3600;

    // Bounds that keep 2^retry_count × backoff_seconds a representable timestamp, and a claim within a week.
    public const int MaxRetriesLimit = 30;
    public const int MaxBackoffSeconds = 86_400;
    public const int MaxClaimTimeoutSeconds = 604_800;
    public const int MaxWorkTypeLength = 50;

    public static async Task<WorkOrder> AddAsync(BrokkrDbContext db, CreateWorkOrderRequest request)
    {
        var order = new WorkOrder
        {
            Id = Guid.CreateVersion7(),
            WorkType = Validation.Name(request.WorkType, "invalid_work_order", "work_type", MaxWorkTypeLength),
            YamlContent = request.YamlContent,
            MaxRetries = Bounded(request.MaxRetries, DefaultMaxRetries, 0, MaxRetriesLimit, "max_retries"),
            BackoffSeconds = Bounded(request.BackoffSeconds, DefaultBackoffSeconds, 1, MaxBackoffSeconds, "backoff_seconds"),
            ClaimTimeoutSeconds = Bounded(request.ClaimTimeoutSeconds, DefaultClaimTimeoutSeconds, 1, MaxClaimTimeoutSeconds, "claim_timeout_seconds"),
        };
        DeploymentObjectSubmission.RequireYamlObjects(request.YamlContent, Invalid);

        var agentIds = (request.Targeting?.AgentIds ?? []).Concat(request.TargetAgentIds ?? []).Distinct().ToList();
        var labels = (request.Targeting?.Labels ?? []).Select(l => Validation.Tag(l, "invalid_work_order", "targeting label")).Distinct().ToList();
        var annotations = (request.Targeting?.Annotations ?? [])
            .Select(a => (Key: Validation.Tag(a.Key, "invalid_work_order", "targeting annotation key"),
                Value: Validation.Tag(a.Value, "invalid_work_order", "targeting annotation value")))
            .Distinct().ToList();
        if (agentIds.Count + labels.Count + annotations.Count == 0)
        {
            throw Invalid("at least one targeting method must be given: targeting.agent_ids, targeting.labels or targeting.annotations");
        }
        if (agentIds.Count > 0 && await db.LiveAgents().CountAsync(a => agentIds.Contains(a.Id)) != agentIds.Count)
        {
            throw Invalid("targeting.agent_ids names an agent that does not exist");
        }

        db.WorkOrders.Add(order);
        db.WorkOrderTargets.AddRange(agentIds.Select(a => new WorkOrderTarget { Id = Guid.CreateVersion7(), WorkOrderId = order.Id, AgentId = a }));
        db.WorkOrderLabels.AddRange(labels.Select(l => new WorkOrderLabel { Id = Guid.CreateVersion7(), WorkOrderId = order.Id, Label = l }));
        db.WorkOrderAnnotations.AddRange(annotations.Select(a =>
            new WorkOrderAnnotation { Id = Guid.CreateVersion7(), WorkOrderId = order.Id, Key = a.Key, Value = a.Value }));
        // One SaveChanges is one transaction: the order is never visible without its targeting.
        await db.SaveChangesAsync();
        return order;
    }

    private static int Bounded(int? value, int fallback, int min, int max, string field) =>
        value switch
        {
            null => fallback,
            { } v when v < min || v > max => throw Invalid($"{field} must be between {min} and {max}"),
            { } v => v,
        };

    private static ApiException Invalid(string message) => ApiException.BadRequest("invalid_work_order", message);
}
