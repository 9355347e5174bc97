using System.Text.Json;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Brokkr.Broker.Webhooks;
using Brokkr.ServiceDefaults.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Webhooks;

/// <summary>Webhook subscriptions (admin only): CRUD, the event-type catalog and a test send.</summary>
public static class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooksApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/webhooks").WithTags("Webhooks");
        group.MapGet("", List);
        group.MapPost("", Create).WithMetadata(new JsonBodyMetadata(typeof(CreateWebhookRequest), IsOptional: false));
        group.MapGet("/event-types", EventTypes);
        group.MapGet("/{id}", Get);
        group.MapPut("/{id}", Update).WithMetadata(new JsonBodyMetadata(typeof(UpdateWebhookRequest), IsOptional: false));
        group.MapDelete("/{id}", Delete);
        group.MapPost("/{id}/test", Test);
        group.MapWebhookDeliveriesApi();
        api.MapAgentWebhooksApi();
        return api;
    }

    private static async Task<Ok<List<WebhookResponse>>> List(Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        var rows = await db.WebhookSubscriptions.AsNoTracking().OrderBy(w => w.CreatedAt).ThenBy(w => w.Id).ToListAsync();
        return TypedResults.Ok(rows.Select(Response).ToList());
    }

    private static Ok<string[]> EventTypes(Caller caller)
    {
        caller.RequireAdmin();
        return TypedResults.Ok(WebhookEventTypes.All);
    }

    private static async Task<Ok<WebhookResponse>> Get(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        return TypedResults.Ok(Response(await db.WebhookAsync(id)));
    }

    private static async Task<Created<WebhookResponse>> Create(Caller caller, HttpRequest request, BrokkrDbContext db, WebhookCipher cipher)
    {
        caller.RequireAdmin();
        var (_, body) = await ReadAsync<CreateWebhookRequest>(request, creating: true);
        var subscription = new WebhookSubscription
        {
            Id = Guid.CreateVersion7(),
            Name = Validation.Name(body.Name, "invalid_webhook", "name"),
            UrlEncrypted = [],
            EventTypes = WebhookInput.EventTypes(body.EventTypes),
            Filters = WebhookInput.Filters(body.Filters),
            TargetLabels = WebhookInput.TargetLabels(body.TargetLabels),
            MaxRetries = WebhookInput.MaxRetries(body.MaxRetries),
            TimeoutSeconds = WebhookInput.TimeoutSeconds(body.TimeoutSeconds),
            CreatedBy = "admin",
        };
        var url = WebhookInput.Url(body.Url);
        var authHeader = WebhookInput.AuthHeader(body.AuthHeader);
        RequireKey(cipher);
        subscription.UrlEncrypted = cipher.Encrypt(url, subscription.Id, WebhookSecrets.UrlField);
        subscription.AuthHeaderEncrypted = authHeader is null ? null : cipher.Encrypt(authHeader, subscription.Id, WebhookSecrets.AuthHeaderField);
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync();
        return TypedResults.Created($"/api/v1/webhooks/{subscription.Id}", Response(subscription));
    }

    private static async Task<Ok<WebhookResponse>> Update(Guid id, Caller caller, HttpRequest request, BrokkrDbContext db, WebhookCipher cipher)
    {
        caller.RequireAdmin();
        var (raw, body) = await ReadAsync<UpdateWebhookRequest>(request, creating: false);
        var subscription = await db.WebhookAsync(id);
        bool Sent(string name) => raw.TryGetProperty(name, out _);
        if (body.Name is not null) subscription.Name = Validation.Name(body.Name, "invalid_webhook", "name");
        if (body.EventTypes is not null) subscription.EventTypes = WebhookInput.EventTypes(body.EventTypes);
        if (Sent("filters")) subscription.Filters = WebhookInput.Filters(body.Filters);
        if (Sent("target_labels")) subscription.TargetLabels = WebhookInput.TargetLabels(body.TargetLabels);
        if (body.Enabled is { } enabled) subscription.Enabled = enabled;
        if (body.MaxRetries is not null) subscription.MaxRetries = WebhookInput.MaxRetries(body.MaxRetries);
        if (body.TimeoutSeconds is not null) subscription.TimeoutSeconds = WebhookInput.TimeoutSeconds(body.TimeoutSeconds);
        if (body.Url is not null)
        {
            var url = WebhookInput.Url(body.Url);
            RequireKey(cipher);
            subscription.UrlEncrypted = cipher.Encrypt(url, subscription.Id, WebhookSecrets.UrlField);
        }
        if (Sent("auth_header"))
        {
            var header = WebhookInput.AuthHeader(body.AuthHeader);
            if (header is not null) RequireKey(cipher);
            subscription.AuthHeaderEncrypted = header is null ? null : cipher.Encrypt(header, subscription.Id, WebhookSecrets.AuthHeaderField);
        }
        await db.SaveChangesAsync();
        return TypedResults.Ok(Response(subscription));
    }

    private static async Task<NoContent> Delete(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        if (await db.WebhookSubscriptions.Where(w => w.Id == id).ExecuteDeleteAsync() == 0)
        {
            throw NotFound();
        }
        return TypedResults.NoContent();
    }

    /// <summary>Sends a <c>webhook.test</c> event now, from the broker, with the subscription's timeout; records nothing.</summary>
    private static async Task<Ok<WebhookTestResult>> Test(Guid id, Caller caller, BrokkrDbContext db, WebhookSecrets secrets,
        TimeProvider time, CancellationToken cancellationToken)
    {
        caller.RequireAdmin();
        var subscription = await db.WebhookAsync(id);
        var opened = secrets.Open(subscription.Id, subscription.UrlEncrypted, subscription.AuthHeaderEncrypted, WebhookDeliveryWorker.Path, out var error)
            ?? throw Failed(error!, null);
        var eventId = Guid.NewGuid();
        var payload = JsonSerializer.Serialize(new
        {
            id = eventId,
            event_type = "webhook.test",
            timestamp = time.GetUtcNow().UtcDateTime,
            data = new { message = "Test delivery from Brokkr", subscription_id = subscription.Id },
        });
        using var client = WebhookPoster.CreateClient();
        var attempt = await WebhookPoster.SendAsync(client, new WebhookMessage(eventId, "webhook.test", payload, opened.Url, opened.AuthHeader,
            TimeSpan.FromSeconds(subscription.TimeoutSeconds)), time, cancellationToken);
        return attempt.Success
            ? TypedResults.Ok(new WebhookTestResult(true, attempt.StatusCode, "Test delivery successful"))
            : throw Failed("test delivery failed: " + attempt.Error, attempt.StatusCode);
    }

    private static ApiException Failed(string message, int? statusCode) => new(StatusCodes.Status400BadRequest, "webhook_test_failed", message,
        statusCode is { } s ? new Dictionary<string, object> { ["status_code"] = s.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null);

    private static async Task<(JsonElement Raw, T Body)> ReadAsync<T>(HttpRequest request, bool creating)
    {
        var raw = await RequestBody.ReadJsonAsync(request) ?? throw RequestBody.InvalidBody("a JSON request body is required");
        if (raw.ValueKind != JsonValueKind.Object)
        {
            throw RequestBody.InvalidBody("the request body must be a JSON object");
        }
        WebhookInput.RejectRemovedFields(raw, creating);
        return (raw, RequestBody.Deserialize<T>(raw, request.HttpContext));
    }

    private static void RequireKey(WebhookCipher cipher)
    {
        if (!cipher.HasKey)
        {
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "webhook_encryption_key_unset",
                $"webhook URLs and auth headers are stored encrypted, and this broker has no key: set {WebhookCipher.KeySetting}");
        }
    }

    internal static async Task<WebhookSubscription> WebhookAsync(this BrokkrDbContext db, Guid id) =>
        await db.WebhookSubscriptions.FirstOrDefaultAsync(w => w.Id == id) ?? throw NotFound();

    internal static ApiException NotFound() => ApiException.NotFound("webhook_not_found", "webhook subscription not found");

    private static WebhookResponse Response(WebhookSubscription s) => new(s.Id, s.Name, s.UrlEncrypted.Length > 0, s.AuthHeaderEncrypted is not null,
        s.EventTypes, WebhookInput.ParseFilters(s.Filters), s.TargetLabels, s.Enabled, s.MaxRetries, s.TimeoutSeconds, s.CreatedAt, s.UpdatedAt,
        s.CreatedBy);
}
