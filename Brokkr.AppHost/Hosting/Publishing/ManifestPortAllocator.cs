namespace Brokkr.AppHost.Hosting;

/// <summary>
/// Target ports for the manifest's endpoints that have none and get no default from the deploy tool: Aspire allocates
/// them from 8000 upward. Ports the model gives explicitly are never handed out again.
/// </summary>
internal sealed class ManifestPortAllocator
{
    public const int FirstPort = 8000;

    private readonly HashSet<int> _used;
    private int _next = FirstPort;

    public ManifestPortAllocator(IEnumerable<IResource> model)
    {
        _used = [.. model.SelectMany(r => r.Annotations.OfType<EndpointAnnotation>()).Select(e => e.TargetPort ?? e.Port).OfType<int>()];
    }

    public int Allocate()
    {
        while (!_used.Add(_next))
        {
            _next++;
        }

        return _next;
    }
}
