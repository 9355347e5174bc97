using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Brokkr.Agent.Broker;

/// <summary>
/// The broker's REST API v1 as the agent uses it (brokkr-core.md §4.5, §7). The HttpClient comes configured with the
/// broker root as base address (resolved by service discovery) and the PAK as a Bearer header, behind
/// <see cref="BrokerResilience"/>: reads are retried a little, writes never; beyond that the control loop decides.
/// Target-state polls are conditional (If-None-Match with the last answer's ETag, kept in <see cref="TargetStateCache"/>).
/// </summary>
public sealed class BrokerClient(HttpClient http, TargetStateCache? targetStates = null)
{
    // Without a shared cache (a client built on its own) every poll is unconditional, as against an older broker.
    private readonly TargetStateCache _targetStates = targetStates ?? new TargetStateCache();

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>GET /readyz: true on 2xx; false when the broker answers otherwise or cannot be reached.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync("readyz", cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (IsTransportFailure(e, cancellationToken))
        {
            return false;
        }
    }

    public Task<PakIdentity> WhoAmIAsync(CancellationToken cancellationToken) =>
        SendAsync<PakIdentity>(HttpMethod.Post, "api/v1/auth/pak", null, cancellationToken);

    /// <summary>The agent's own record by identity (the search form, with its trailing slash).</summary>
    public Task<AgentRecord> FindAgentAsync(string name, string clusterName, CancellationToken cancellationToken) =>
        SendAsync<AgentRecord>(HttpMethod.Get,
            $"api/v1/agents/?name={Uri.EscapeDataString(name)}&cluster_name={Uri.EscapeDataString(clusterName)}",
            null, cancellationToken);

    public Task<AgentRecord> GetAgentAsync(Guid agentId, CancellationToken cancellationToken) =>
        SendAsync<AgentRecord>(HttpMethod.Get, $"api/v1/agents/{agentId}", null, cancellationToken);

    /// <summary>Registers the calling agent with a generator; true when newly registered, false when it already was.</summary>
    public async Task<bool> RegisterWithGeneratorAsync(Guid generatorId, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync<JsonElement>(HttpMethod.Post, $"api/v1/generators/{generatorId}/register", new { }, cancellationToken);
            return true;
        }
        catch (BrokerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public Task SendHeartbeatAsync(Guid agentId, HeartbeatReport report, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"api/v1/agents/{agentId}/heartbeat", report, cancellationToken);

    /// <summary>
    /// The incremental target state (objects not yet acknowledged), or with <paramref name="full"/> every stack's
    /// desired object. Asks with the last answer's ETag; on 304 the last answer is still the state. A broker that sends
    /// no ETag (upstream's) is polled unconditionally every time.
    /// </summary>
    public async Task<List<DeploymentObjectRecord>> GetTargetStateAsync(Guid agentId, bool full, CancellationToken cancellationToken)
    {
        var path = $"api/v1/agents/{agentId}/target-state" + (full ? "?mode=full" : "");
        var last = _targetStates.Get(agentId, full);
        using var request = NewRequest(HttpMethod.Get, path, null);
        if (last is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", last.ETag);
        }
        var (status, text, etag) = await ExchangeAsync(request, cancellationToken);
        if (status == HttpStatusCode.NotModified)
        {
            if (last is null)
            {
                throw new BrokerApiException(status, null, $"broker answered 304 to GET /{StripQuery(path)} that was not conditional");
            }
            return [.. last.Objects];
        }
        var objects = Parse<List<DeploymentObjectRecord>>(status, HttpMethod.Get, path, text) ?? [];
        if (etag is null)
        {
            _targetStates.Forget(agentId, full);
        }
        else
        {
            _targetStates.Set(agentId, full, new TargetStateCache.Entry(etag, [.. objects]));
        }
        return objects;
    }

    public Task<List<AgentEventRecord>> GetEventsAsync(Guid agentId, CancellationToken cancellationToken) =>
        SendAsync<List<AgentEventRecord>>(HttpMethod.Get, $"api/v1/agents/{agentId}/events", null, cancellationToken);

    public Task ReportEventAsync(AgentEventReport report, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"api/v1/agents/{report.AgentId}/events", report, cancellationToken);

    public Task ReportHealthAsync(Guid agentId, IReadOnlyList<DeploymentObjectHealthReport> entries,
        CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Patch, $"api/v1/agents/{agentId}/health-status",
            new { deployment_objects = entries }, cancellationToken);

    /// <summary>The work orders (of <paramref name="workType"/>, or of every type) the agent could claim now, oldest first.</summary>
    public Task<List<WorkOrderRecord>> GetPendingWorkOrdersAsync(Guid agentId, string? workType, CancellationToken cancellationToken) =>
        SendAsync<List<WorkOrderRecord>>(HttpMethod.Get,
            $"api/v1/agents/{agentId}/work-orders/pending" + (workType is null ? "" : $"?work_type={Uri.EscapeDataString(workType)}"),
            null, cancellationToken);

    /// <summary>Claims a work order; null when another agent got it first (409) or it is gone or no longer ours (404).</summary>
    public async Task<WorkOrderRecord?> ClaimWorkOrderAsync(Guid workOrderId, Guid agentId, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync<WorkOrderRecord>(HttpMethod.Post, $"api/v1/work-orders/{workOrderId}/claim",
                new { agent_id = agentId }, cancellationToken);
        }
        catch (BrokerApiException e) when (e.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Reports the outcome; the broker answers 200 (archived) or 202 (retry scheduled).</summary>
    public Task CompleteWorkOrderAsync(Guid workOrderId, WorkOrderCompletion completion, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"api/v1/work-orders/{workOrderId}/complete", completion, cancellationToken);
    public Task<List<DiagnosticRequestRecord>> GetPendingDiagnosticsAsync(Guid agentId, CancellationToken cancellationToken) =>
        SendAsync<List<DiagnosticRequestRecord>>(HttpMethod.Get, $"api/v1/agents/{agentId}/diagnostics/pending", null, cancellationToken);

    /// <summary>Claims a diagnostic request; null when it is no longer claimable (409) or gone (404).</summary>
    public async Task<DiagnosticRequestRecord?> ClaimDiagnosticAsync(Guid requestId, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync<DiagnosticRequestRecord>(HttpMethod.Post, $"api/v1/diagnostics/{requestId}/claim", null, cancellationToken);
        }
        catch (BrokerApiException e) when (e.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task SubmitDiagnosticResultAsync(Guid requestId, DiagnosticResultReport report, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"api/v1/diagnostics/{requestId}/result", report, cancellationToken);

    /// <summary>A deployment object by id (the broker lets an agent read those of stacks explicitly targeted to it).</summary>
    public Task<DeploymentObjectRecord> GetDeploymentObjectAsync(Guid id, CancellationToken cancellationToken) =>
        SendAsync<DeploymentObjectRecord>(HttpMethod.Get, $"api/v1/deployment-objects/{id}", null, cancellationToken);

    /// <summary>Claims the webhook deliveries meant for this agent (their targets labels are all the agent's).</summary>
    public Task<List<PendingWebhook>> GetPendingWebhooksAsync(Guid agentId, CancellationToken cancellationToken) =>
        SendAsync<List<PendingWebhook>>(HttpMethod.Get, $"api/v1/agents/{agentId}/webhooks/pending", null, cancellationToken);

    public Task ReportWebhookResultAsync(Guid deliveryId, WebhookResultReport report, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"api/v1/webhook-deliveries/{deliveryId}/result", report, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = NewRequest(method, path, body);
        var (status, text, _) = await ExchangeAsync(request, cancellationToken);
        if (status == HttpStatusCode.NotModified)
        {
            throw Failure(status, method, path, text); // only a conditional request may be answered so
        }
        return Parse<T>(status, method, path, text);
    }

    private static HttpRequestMessage NewRequest(HttpMethod method, string path, object? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }
        return request;
    }

    /// <summary>Sends and reads the answer; throws unless it is a success or 304 Not Modified.</summary>
    private async Task<(HttpStatusCode Status, string Text, string? ETag)> ExchangeAsync(HttpRequestMessage request,
        CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (IsTransportFailure(e, cancellationToken))
        {
            throw new BrokerUnreachableException($"broker unreachable at {http.BaseAddress}: {e.Message}", e);
        }

        using (response)
        {
            var path = request.RequestUri?.OriginalString ?? "";
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
            {
                throw new BrokerUnreachableException($"broker at {http.BaseAddress} answered {(int)response.StatusCode} to {request.Method} /{StripQuery(path)}");
            }

            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotModified)
            {
                throw Failure(response.StatusCode, request.Method, path, text);
            }

            return (response.StatusCode, text, response.Headers.ETag?.ToString());
        }
    }

    private static T Parse<T>(HttpStatusCode status, HttpMethod method, string path, string text)
    {
        if (text.Length == 0)
        {
            return default!;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, Json)!;
        }
        catch (JsonException e)
        {
            throw new BrokerApiException(status, null,
                $"broker answered {method} /{StripQuery(path)} with unreadable JSON: {e.Message}");
        }
    }

    private static BrokerApiException Failure(HttpStatusCode status, HttpMethod method, string path, string body)
    {
        string? code = null, message = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                code = document.RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
                message = document.RootElement.TryGetProperty("message", out var m) ? m.GetString() : null;
            }
        }
        catch (JsonException)
        {
            // 401 and some proxies answer without the envelope.
        }

        var detail = code is null ? "" : $" {code}: {message}";
        return new BrokerApiException(status, code, $"broker answered {(int)status} to {method} /{StripQuery(path)}{detail}");
    }

    private static bool IsTransportFailure(Exception e, CancellationToken cancellationToken) =>
        // The resilience pipeline's timeouts and open circuit are Polly's rejections.
        e is HttpRequestException or Polly.ExecutionRejectedException
        || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    // Query strings may hold the agent's name; keep messages to the route.
    private static string StripQuery(string path) => path.Split('?')[0];
}
