using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// The agent's operations (discovery cache, kind → resource resolution, server-side apply of any kind, dry run, paged
/// label-selector lists, delete, per-operation metrics) over KubernetesClient's <see cref="k8s.Kubernetes"/>: its
/// HttpClient (TLS, client certificates, proxy) and credentials (token, token file, exec plugin, OIDC). Requests are
/// sent raw through those, not through the typed API, because apply must take any kind (built-in or custom) as JSON
/// with fieldManager/force/dryRun, answer 201 vs 200, and keep the server's Status and plain-text 404 apart.
/// </summary>
public sealed class KubernetesClient : IKubernetesClient, IDisposable
{
    private static readonly TimeSpan DiscoveryMaxAge = TimeSpan.FromMinutes(10);

    /// <summary>How long a sweep in which some group-version failed is reused: about one polling cycle.</summary>
    public static readonly TimeSpan DefaultPartialDiscoveryMaxAge = TimeSpan.FromSeconds(10);

    private readonly k8s.Kubernetes _kubernetes;
    private readonly TimeSpan _requestTimeout;
    private readonly IKubernetesOperationObserver? _observer;
    private readonly DiscoveryCache _discovery;

    public KubernetesClient(KubernetesConnection connection, TimeSpan requestTimeout,
        IKubernetesOperationObserver? observer = null, TimeSpan? partialDiscoveryMaxAge = null)
    {
        Connection = connection;
        connection.Configuration.UserAgent = "brokkr-agent/1.0";
        _kubernetes = new k8s.Kubernetes(connection.Configuration);
        _requestTimeout = requestTimeout;
        _observer = observer;
        _discovery = new DiscoveryCache(
            async (path, accept, ct) => (await SendAsync(HttpMethod.Get, path, null, accept, ct, discovery: true)).Body
                ?? throw new KubernetesApiException(HttpStatusCode.OK, null, $"empty discovery document at {path}"),
            DiscoveryMaxAge, partialDiscoveryMaxAge ?? DefaultPartialDiscoveryMaxAge,
            (succeeded, elapsed) => _observer?.OnOperation("discovery", succeeded, elapsed));
    }

    public KubernetesConnection Connection { get; }

    // /version is a discovery-class endpoint (no RBAC, no object), not a "get" of something the agent manages.
    public Task<JsonObject> GetVersionAsync(CancellationToken cancellationToken) =>
        Observe("discovery", () => FetchVersionAsync(cancellationToken));

    public Task ProbeAsync(CancellationToken cancellationToken) => FetchVersionAsync(cancellationToken);

    private async Task<JsonObject> FetchVersionAsync(CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, "/version", null, null, cancellationToken)).Body!.AsObject();

    public async Task<ApiResource?> ResolveAsync(string apiVersion, string kind, CancellationToken cancellationToken)
    {
        var (group, version) = ApiResource.SplitApiVersion(apiVersion);
        foreach (var refresh in new[] { false, true })
        {
            var groups = (await _discovery.GetAsync(refresh, cancellationToken)).Groups;
            var match = groups.Where(g => g.Group == group && g.Version == version)
                .SelectMany(g => g.Resources).FirstOrDefault(r => r.Kind == kind);
            if (match is not null)
            {
                return match;
            }
        }

        return null;
    }

    public async Task<PreferredResources> GetPreferredResourcesAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _discovery.GetAsync(false, cancellationToken);
        return new PreferredResources(snapshot.Groups.Where(g => g.Preferred).SelectMany(g => g.Resources).ToList(),
            snapshot.Unavailable.Where(u => u.Preferred).ToList());
    }

    public void InvalidateDiscovery() => _discovery.Invalidate();

    public Task<ApplyResult> ApplyAsync(ApiResource resource, JsonObject manifest, ApplyOptions options,
        CancellationToken cancellationToken)
    {
        var metadata = manifest["metadata"] as JsonObject
            ?? throw new ArgumentException("manifest has no metadata", nameof(manifest));
        var name = metadata["name"]?.GetValue<string>() ?? throw new ArgumentException("manifest has no metadata.name");
        var query = $"?fieldManager={Uri.EscapeDataString(options.FieldManager)}&force={(options.Force ? "true" : "false")}"
            + (options.DryRun ? "&dryRun=All" : "");
        var path = resource.ObjectPath(metadata["namespace"]?.GetValue<string>(), name) + query;
        var content = new StringContent(manifest.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/apply-patch+yaml");
        return Observe("apply", async () =>
        {
            var response = await SendAsync(HttpMethod.Patch, path, content, null, cancellationToken);
            return new ApplyResult(response.Body!.AsObject(), response.Status == HttpStatusCode.Created);
        });
    }

    public Task<JsonObject?> GetAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken) =>
        Observe("get", async () =>
        {
            try
            {
                return (await SendAsync(HttpMethod.Get, resource.ObjectPath(ns, name), null, null, cancellationToken)).Body?.AsObject();
            }
            catch (KubernetesNotFoundException)
            {
                return null;
            }
        });

    public Task<IReadOnlyList<JsonObject>> ListAsync(ApiResource resource, string? ns, string? labelSelector,
        CancellationToken cancellationToken) => Observe("list", async () =>
    {
        var items = new List<JsonObject>();
        string? continueToken = null;
        do
        {
            var query = "?limit=500"
                + (labelSelector is null ? "" : $"&labelSelector={Uri.EscapeDataString(labelSelector)}")
                + (continueToken is null ? "" : $"&continue={Uri.EscapeDataString(continueToken)}");
            var list = (await SendAsync(HttpMethod.Get, resource.CollectionPath(ns) + query, null, null, cancellationToken)).Body!;
            foreach (var item in list["items"]?.AsArray() ?? [])
            {
                if (item is JsonObject obj)
                {
                    // Built-in list items carry no apiVersion/kind; stamp them from the type we listed.
                    obj["apiVersion"] ??= resource.ApiVersion;
                    obj["kind"] ??= resource.Kind;
                    items.Add(obj);
                }
            }

            continueToken = list["metadata"]?["continue"]?.GetValue<string>();
        }
        while (!string.IsNullOrEmpty(continueToken));

        return (IReadOnlyList<JsonObject>)items;
    });

    public Task<bool> DeleteAsync(ApiResource resource, string? ns, string name, string propagationPolicy,
        CancellationToken cancellationToken) => Observe("delete", async () =>
    {
        var options = new JsonObject
        {
            ["kind"] = "DeleteOptions", ["apiVersion"] = "v1", ["propagationPolicy"] = propagationPolicy,
        };
        var content = new StringContent(options.ToJsonString(), Encoding.UTF8, "application/json");
        try
        {
            await SendAsync(HttpMethod.Delete, resource.ObjectPath(ns, name), content, null, cancellationToken);
            return true;
        }
        catch (KubernetesNotFoundException)
        {
            return false;
        }
    });

    public Task<string> GetPodLogAsync(string ns, string pod, string container, int tailLines, int limitBytes,
        CancellationToken cancellationToken) => Observe("get", async () =>
    {
        var path = $"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods/{Uri.EscapeDataString(pod)}/log"
            + $"?container={Uri.EscapeDataString(container)}&tailLines={tailLines}&limitBytes={limitBytes}";
        // limitBytes asks the server to stop; reading at most that much holds the agent to it if the server does not.
        return (await SendTextAsync(HttpMethod.Get, path, null, "text/plain, */*", cancellationToken, maxBodyBytes: limitBytes)).Text;
    });

    public void Dispose() => _kubernetes.Dispose();

    private async Task<T> Observe<T>(string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var succeeded = false;
        try
        {
            var result = await call();
            succeeded = true;
            return result;
        }
        finally
        {
            _observer?.OnOperation(operation, succeeded, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path,
        HttpContent? content, string? accept, CancellationToken cancellationToken, bool discovery = false)
    {
        var (status, text) = await SendTextAsync(method, path, content, accept, cancellationToken, discovery);
        try
        {
            return (status, text.Length == 0 ? null : JsonNode.Parse(text));
        }
        catch (JsonException e)
        {
            throw new KubernetesApiException(status, null,
                $"Kubernetes API answered {method} {StripQuery(path)} with a body that is not JSON: {e.Message}");
        }
    }

    /// <summary>Sends with credentials and timeout; a success's body as text, at most <paramref name="maxBodyBytes"/> of it when set.</summary>
    private async Task<(HttpStatusCode Status, string Text)> SendTextAsync(HttpMethod method, string path,
        HttpContent? content, string? accept, CancellationToken cancellationToken, bool discovery = false, int? maxBodyBytes = null)
    {
        var body = content is null ? null : await content.ReadAsByteArrayAsync(cancellationToken);
        var contentType = content?.Headers.ContentType;
        var renewable = Connection.Configuration.TokenProvider as RenewableTokenProvider;
        foreach (var retryAfterUnauthorized in new[] { false, true })
        {
            using var request = new HttpRequestMessage(method, new Uri(_kubernetes.BaseUri, path.TrimStart('/')));
            request.Headers.Accept.ParseAdd(accept ?? "application/json");
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = contentType;
            }

            if (_kubernetes.Credentials is { } credentials)
            {
                try
                {
                    await credentials.ProcessHttpRequestAsync(request, cancellationToken);
                }
                catch (k8s.Exceptions.KubernetesClientException e)
                {
                    // An OIDC refresh the identity provider refused: a rejected credential, not a crash of the cycle.
                    throw new KubernetesAccessDeniedException(HttpStatusCode.Unauthorized, null, e.Message);
                }
            }

            if (Connection.Configuration.TlsServerName is { Length: > 0 } serverName)
            {
                request.Headers.Host = serverName; // what the package's own requests do: the TLS name follows the Host
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_requestTimeout);
            HttpResponseMessage response;
            string text;
            try
            {
                response = await _kubernetes.HttpClient.SendAsync(request,
                    maxBodyBytes is null ? HttpCompletionOption.ResponseContentRead : HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                try
                {
                    text = maxBodyBytes is { } max && response.IsSuccessStatusCode
                        ? await ReadAtMostAsync(response.Content, max, timeout.Token)
                        : await response.Content.ReadAsStringAsync(timeout.Token);
                }
                catch
                {
                    response.Dispose(); // a streamed body that failed midway: nothing below will use it
                    throw;
                }
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new KubernetesUnavailableException(HttpStatusCode.GatewayTimeout, null,
                    $"Kubernetes API request {method} {StripQuery(path)} timed out after {_requestTimeout.TotalSeconds:0.#} s", e);
            }
            catch (HttpRequestException e)
            {
                throw new KubernetesUnavailableException(HttpStatusCode.ServiceUnavailable, null,
                    $"Kubernetes API unreachable at {Connection.Server}: {e.Message}", e);
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized && !retryAfterUnauthorized && renewable is not null)
                {
                    renewable.Renew(); // a rotated token file or a revoked plugin token: read or run it again
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    var error = KubernetesErrors.FromResponse(response.StatusCode, text);
                    if (!discovery && error is KubernetesNotFoundException { IsPathNotServed: true })
                    {
                        // The type's path is gone (its CRD or aggregated API was removed): what discovery said is stale.
                        _discovery.Invalidate();
                    }

                    throw error;
                }

                return (response.StatusCode, text);
            }
        }

        throw new UnreachableException();
    }

    private static async Task<string> ReadAtMostAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[maxBytes];
        var read = 0;
        while (read < maxBytes && await stream.ReadAsync(buffer.AsMemory(read), cancellationToken) is var n and > 0)
        {
            read += n;
        }
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static string StripQuery(string path) => path.Split('?')[0];
}
