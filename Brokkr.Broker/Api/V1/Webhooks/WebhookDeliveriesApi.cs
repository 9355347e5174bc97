using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Brokkr.Broker.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Api.V1.Webhooks;

/// <summary>A subscription's delivery history, and agent-side delivery: agents claim what targets them and report back.</summary>
public static class WebhookDeliveriesApi
{
    /// <summary>Deliveries one agent claims per poll.</summary>
    public const int AgentBatchSize = 10;
    private const int MaxReportedErrorLength = 2000;

    public static RouteGroupBuilder MapWebhookDeliveriesApi(this RouteGroupBuilder webhooks)
    {
        webhooks.MapGet("/{id}/deliveries", List);
        return webhooks;
    }

    public static RouteGroupBuilder MapAgentWebhooksApi(this RouteGroupBuilder api)
    {
        api.MapGet("/agents/{agent_id}/webhooks/pending", Pending).WithTags("Webhooks");
        api.MapPost("/webhook-deliveries/{id}/result", Result).WithTags("Webhooks");
        return api;
    }

    private static async Task<Ok<List<WebhookDelivery>>> List(Guid id, Caller caller, BrokkrDbContext db, string? status = null,
        long? limit = null, long? offset = null)
    {
        caller.RequireAdmin();
        if (status is not null && !WebhookDelivery.Statuses.Contains(status))
        {
            throw ApiException.BadRequest("invalid_status", $"status must be one of {string.Join(", ", WebhookDelivery.Statuses)}");
        }
        if (limit is < 1 or > 1000 || offset is < 0)
        {
            throw ApiException.BadRequest("invalid_pagination", "limit must be 1 to 1000 and offset at least 0");
        }
        if (!await db.WebhookSubscriptions.AnyAsync(w => w.Id == id))
        {
            throw WebhooksApi.NotFound();
        }
        var rows = db.WebhookDeliveries.AsNoTracking().Where(d => d.SubscriptionId == id);
        if (status is not null)
        {
            rows = rows.Where(d => d.Status == status);
        }
        return TypedResults.Ok(await rows.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Skip((int)(offset ?? 0)).Take((int)(limit ?? 50)).ToListAsync());
    }

    /// <summary>
    /// Claims up to <see cref="AgentBatchSize"/> deliveries whose target labels the agent all carries, with the
    /// decrypted URL and auth header — the one place they leave the broker, to the agent that sends them.
    /// </summary>
    private static async Task<Ok<List<PendingWebhookDelivery>>> Pending(Guid agent_id, Caller caller, BrokkrDbContext db, WebhookQueue queue,
        WebhookSecrets secrets, WebhookMetrics metrics, IOptions<WebhookOptions> options, CancellationToken cancellationToken)
    {
        caller.RequireAdminOrAgentSelf(agent_id);
        await db.AgentAsync(agent_id);
        var pending = new List<PendingWebhookDelivery>();
        foreach (var delivery in await queue.ClaimForAgentAsync(agent_id, AgentBatchSize, cancellationToken))
        {
            if (secrets.Open(delivery.SubscriptionId, delivery.UrlEncrypted, delivery.AuthHeaderEncrypted, "agent", out var error) is { } opened)
            {
                pending.Add(new PendingWebhookDelivery(delivery.Id, delivery.SubscriptionId, delivery.EventType, delivery.Payload, opened.Url,
                    opened.AuthHeader, delivery.TimeoutSeconds, delivery.MaxRetries, delivery.Attempts));
            }
            else if (await queue.RecordAsync(delivery.Id, agent_id, false, null, error, terminal: true, options.Value.RetryBaseSeconds,
                         CancellationToken.None) is { } status)
            {
                metrics.Attempted(status, "agent");
            }
        }
        return TypedResults.Ok(pending);
    }

    private static async Task<Ok> Result(Guid id, Caller caller, Json<DeliveryResultRequest> body, WebhookQueue queue, WebhookMetrics metrics,
        IOptions<WebhookOptions> options)
    {
        if (!caller.IsAgent)
        {
            throw ApiException.Forbidden("agent_required", "only the agent that claimed a delivery reports its result");
        }
        var result = body.Value;
        var error = result.Success ? null : result.Error ?? (result.StatusCode is { } code ? $"HTTP {code}" : "delivery failed");
        if (error is { Length: > MaxReportedErrorLength })
        {
            error = error[..MaxReportedErrorLength];
        }
        var status = await queue.RecordAsync(id, caller.AgentId, result.Success, result.StatusCode, error, terminal: false,
                         options.Value.RetryBaseSeconds, CancellationToken.None)
                     ?? throw ApiException.NotFound("delivery_not_found", "no delivery with this id is claimed by this agent");
        metrics.Attempted(status, "agent");
        return TypedResults.Ok();
    }
}
