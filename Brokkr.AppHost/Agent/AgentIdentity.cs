using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Brokkr.AppHost.Agent;

/// <summary>
/// The local agent's identity: created through the broker's API with the admin PAK on the first run (spec §4.3), set
/// ACTIVE so it reconciles, and kept in <c>agent/identity.json</c> of the data folder so later runs reuse it.
/// </summary>
internal sealed class AgentIdentity(EndpointReference broker, string file, string agentName, string clusterName)
{
    /// <summary>The public development admin key every unconfigured broker accepts (spec §2.1, §2.6).</summary>
    public const string DevelopmentAdminPak = "brokkr_BR3rVsDa_GK3QN7CDUzYc6iKgMkJ98M2WSimM5t6U8";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string AgentName { get; } = agentName;

    public string ClusterName { get; } = clusterName;

    public string Pak { get; private set; } = "";

    /// <summary>
    /// Provisions, trying again when a request times out (a loaded machine): every step is idempotent, and a create
    /// whose answer was lost finds the agent and rotates its PAK.
    /// </summary>
    public async Task ProvisionAsync(string? configuredAdminPak, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ProvisionOnceAsync(configuredAdminPak, cancellationToken);
                return;
            }
            catch (TaskCanceledException) when (attempt < 3 && !cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    private async Task ProvisionOnceAsync(string? configuredAdminPak, CancellationToken cancellationToken)
    {
        var adminPak = configuredAdminPak is { Length: > 0 } ? configuredAdminPak : DevelopmentAdminPak;
        using var http = new HttpClient { BaseAddress = new Uri(broker.Url), Timeout = TimeSpan.FromSeconds(30) };

        var stored = File.Exists(file) ? JsonSerializer.Deserialize<StoredIdentity>(await File.ReadAllTextAsync(file, cancellationToken), Json) : null;
        if (stored is null || stored.Name != AgentName || stored.ClusterName != ClusterName || !await IsValidAsync(http, stored, cancellationToken))
        {
            stored = await CreateAsync(http, adminPak, cancellationToken);
            AppHostData.WriteOwnerOnly(file, JsonSerializer.Serialize(stored, Json));
        }

        // Only an ACTIVE agent reconciles (spec §7.2); idempotent, and undoes a status changed by hand.
        using var activate = Request(HttpMethod.Put, $"api/v1/agents/{stored.AgentId}", adminPak, new { status = "ACTIVE" });
        await EnsureSuccessAsync(await http.SendAsync(activate, cancellationToken), "setting the agent ACTIVE");
        Pak = stored.Pak;
    }

    private static async Task<bool> IsValidAsync(HttpClient http, StoredIdentity stored, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, "api/v1/auth/pak", stored.Pak, null);
        using var response = await http.SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode &&
               (await response.Content.ReadFromJsonAsync<AuthResponse>(Json, cancellationToken))?.Agent == stored.AgentId;
    }

    /// <summary>A new agent; if one with this name exists (its PAK file was lost) its PAK is rotated instead.</summary>
    private async Task<StoredIdentity> CreateAsync(HttpClient http, string adminPak, CancellationToken cancellationToken)
    {
        using var create = Request(HttpMethod.Post, "api/v1/agents", adminPak, new { name = AgentName, cluster_name = ClusterName });
        using var created = await http.SendAsync(create, cancellationToken);
        if (created.StatusCode != HttpStatusCode.Conflict)
        {
            await EnsureSuccessAsync(created, "creating the agent");
            var body = await created.Content.ReadFromJsonAsync<CreatedAgent>(Json, cancellationToken);
            return new StoredIdentity(body!.Agent.Id, AgentName, ClusterName, body.InitialPak);
        }

        var query = $"api/v1/agents/?name={Uri.EscapeDataString(AgentName)}&cluster_name={Uri.EscapeDataString(ClusterName)}";
        using var find = Request(HttpMethod.Get, query, adminPak, null);
        using var found = await http.SendAsync(find, cancellationToken);
        await EnsureSuccessAsync(found, "looking up the existing agent");
        var agent = await found.Content.ReadFromJsonAsync<AgentRecord>(Json, cancellationToken);
        using var rotate = Request(HttpMethod.Post, $"api/v1/agents/{agent!.Id}/rotate-pak", adminPak, null);
        using var rotated = await http.SendAsync(rotate, cancellationToken);
        await EnsureSuccessAsync(rotated, "rotating the existing agent's PAK");
        var pak = await rotated.Content.ReadFromJsonAsync<RotatedPak>(Json, cancellationToken);
        return new StoredIdentity(agent.Id, AgentName, ClusterName, pak!.Pak);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string pak, object? body)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", pak);
        return request;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            // The broker's error envelope carries no secrets; the request's PAK is never echoed.
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"{what} through the broker API failed: {(int)response.StatusCode} {body}".Trim());
        }
    }

    private sealed record StoredIdentity(Guid AgentId, string Name, string ClusterName, string Pak);

    private sealed record AuthResponse(Guid? Agent);

    private sealed record AgentRecord(Guid Id);

    private sealed record CreatedAgent(AgentRecord Agent, [property: JsonPropertyName("initial_pak")] string InitialPak);

    private sealed record RotatedPak(string Pak);
}
