using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Brokkr.Cli.Connection;

/// <summary>A refusal from the broker: its status and Brokkr error envelope (<c>{"code","message"}</c>).</summary>
public sealed class BrokerRefusal(HttpStatusCode status, string? code, string message)
    : CliFailure(ExitCodeOf(status), message, code)
{
    public HttpStatusCode Status { get; } = status;

    private static int ExitCodeOf(HttpStatusCode status) => (int)status switch
    {
        401 or 403 => CliExitCodes.NotAuthorized,
        >= 500 => CliExitCodes.Unavailable,
        _ => CliExitCodes.Refused,
    };
}

/// <summary>The few REST API v1 calls the CLI makes, with the PAK as a bearer token.</summary>
public sealed class BrokerClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private readonly HttpClient _http;

    public BrokerClient(ConnectionSettings settings)
    {
        _http = new HttpClient { BaseAddress = settings.ApiBase, Timeout = TimeSpan.FromMinutes(5) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Pak);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("brokkr-cli", typeof(BrokerClient).Assembly.GetName().Version?.ToString(3)));
    }

    public Task<AuthIdentity> WhoAmIAsync(CancellationToken ct) => SendAsync<AuthIdentity>(HttpMethod.Post, "auth/pak", null, ct);

    public Task<List<Stack>> StacksAsync(CancellationToken ct) => SendAsync<List<Stack>>(HttpMethod.Get, "stacks", null, ct);

    public Task<Stack> CreateStackAsync(string name, Guid generatorId, CancellationToken ct) =>
        SendAsync<Stack>(HttpMethod.Post, "stacks", new { name, generator_id = generatorId }, ct);

    public Task AddStackLabelAsync(Guid stackId, string label, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"stacks/{stackId}/labels", label, ct);

    public Task<List<DeploymentObject>> DeploymentObjectsAsync(Guid stackId, CancellationToken ct) =>
        SendAsync<List<DeploymentObject>>(HttpMethod.Get, $"stacks/{stackId}/deployment-objects", null, ct);

    public Task<DeploymentObject> SubmitAsync(Guid stackId, string yaml, CancellationToken ct) =>
        SendAsync<DeploymentObject>(HttpMethod.Post, $"stacks/{stackId}/deployment-objects", new { yaml_content = yaml, is_deletion_marker = false }, ct);

    public Task<Registration> RegisterAsync(Guid generatorId, Guid agentId, CancellationToken ct) =>
        SendAsync<Registration>(HttpMethod.Post, $"generators/{generatorId}/register", new { agent_id = agentId }, ct);

    public Task DeregisterAsync(Guid generatorId, Guid agentId, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"generators/{generatorId}/register", new { agent_id = agentId }, ct);

    public Task<List<Registration>> AgentRegistrationsAsync(Guid agentId, CancellationToken ct) =>
        SendAsync<List<Registration>>(HttpMethod.Get, $"agents/{agentId}/registrations", null, ct);

    public Task<List<Registration>> GeneratorRegistrationsAsync(Guid generatorId, CancellationToken ct) =>
        SendAsync<List<Registration>>(HttpMethod.Get, $"generators/{generatorId}/registered-agents", null, ct);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliFailure(CliExitCodes.Unavailable, $"cannot reach the broker at {_http.BaseAddress}: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliFailure(CliExitCodes.Unavailable, $"the broker at {_http.BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await RefusalAsync(response, ct);
            }
            if (response.StatusCode == HttpStatusCode.NoContent || typeof(T) == typeof(JsonElement))
            {
                return default!;
            }
            return await response.Content.ReadFromJsonAsync<T>(Json, ct)
                ?? throw new CliFailure(CliExitCodes.Unavailable, $"the broker answered {method} {path} with an empty body");
        }
    }

    private static async Task<BrokerRefusal> RefusalAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = response.StatusCode;
        ErrorEnvelope? envelope = null;
        try
        {
            envelope = await response.Content.ReadFromJsonAsync<ErrorEnvelope>(Json, ct);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            // 401 has no body (spec §2.3); a proxy's error page is not JSON.
        }
        var message = envelope?.Message is { Length: > 0 } text
            ? text
            : status == HttpStatusCode.Unauthorized ? "the broker rejected the PAK (401)" : $"the broker answered {(int)status} {response.ReasonPhrase}";
        return new BrokerRefusal(status, envelope?.Code, message);
    }

    public void Dispose() => _http.Dispose();
}
