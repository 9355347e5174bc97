namespace Brokkr.AppHost.Hosting;

/// <summary>Health from the resource's HTTP health checks: every one answers 2xx.</summary>
internal sealed class HttpHealthProbe : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly List<(EndpointReference Endpoint, string Path)> _checks;

    public HttpHealthProbe(IResource resource)
    {
        _checks = resource is IResourceWithEndpoints withEndpoints
            ? [.. resource.Annotations.OfType<HttpHealthCheckAnnotation>().Select(c => (new EndpointReference(withEndpoints, c.EndpointName), c.Path))]
            : [];
    }

    public IEnumerable<string> HealthUrls => _checks.Select(c => c.Endpoint.Url + c.Path);

    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        foreach (var url in HealthUrls)
        {
            try
            {
                using var response = await _http.GetAsync(url, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    return false;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        return true;
    }

    public void Dispose() => _http.Dispose();
}
