using System.Globalization;

namespace Brokkr.AppHost.Hosting;

/// <summary>A network endpoint of a resource: a manifest binding, and in run mode the local port it got.</summary>
public sealed class EndpointAnnotation(string name, string scheme, string transport, int? targetPort, int? port, bool isExternal)
    : IResourceAnnotation
{
    public string Name { get; } = name;

    public string UriScheme { get; } = scheme;

    public string Protocol => "tcp";

    public string Transport { get; } = transport;

    /// <summary>The port the workload listens on when deployed.</summary>
    public int? TargetPort { get; } = targetPort;

    /// <summary>The port others use when deployed, when it differs from <see cref="TargetPort"/>.</summary>
    public int? Port { get; } = port;

    public bool IsExternal { get; set; } = isExternal;

    /// <summary>Run mode: the loopback port the local process listens on.</summary>
    public int? AllocatedPort { get; set; }
}

public enum EndpointProperty
{
    Url,
    Host,
    Port,
    TargetPort,
    Scheme,
}

/// <summary>A reference to a resource's named endpoint, e.g. <c>broker.GetEndpoint("http")</c>.</summary>
public sealed class EndpointReference(IResourceWithEndpoints resource, string endpointName) : IManifestExpressionProvider, IValueProvider
{
    public IResourceWithEndpoints Resource { get; } = resource;

    public string EndpointName { get; } = endpointName;

    public EndpointAnnotation Endpoint => Resource.Annotations.OfType<EndpointAnnotation>().SingleOrDefault(e => e.Name == EndpointName)
        ?? throw new InvalidOperationException($"resource '{Resource.Name}' has no endpoint '{EndpointName}'");

    public string Host => "localhost";

    public int Port => Endpoint.AllocatedPort
        ?? throw new InvalidOperationException($"endpoint '{Resource.Name}/{EndpointName}' has no port allocated yet");

    public string Url => $"{Endpoint.UriScheme}://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string ValueExpression => Property(EndpointProperty.Url).ValueExpression;

    public EndpointReferenceExpression Property(EndpointProperty property) => new(this, property);

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<string?>(Url);
}

/// <summary>One property of an endpoint: <c>{resource.bindings.endpoint.property}</c>.</summary>
public sealed class EndpointReferenceExpression(EndpointReference endpoint, EndpointProperty property) : IManifestExpressionProvider, IValueProvider
{
    public EndpointReference Endpoint { get; } = endpoint;

    public EndpointProperty Property { get; } = property;

    public string ValueExpression =>
        $"{{{Endpoint.Resource.Name}.bindings.{Endpoint.EndpointName}.{char.ToLowerInvariant(Property.ToString()[0])}{Property.ToString()[1..]}}}";

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<string?>(Property switch
    {
        EndpointProperty.Url => Endpoint.Url,
        EndpointProperty.Host => Endpoint.Host,
        EndpointProperty.Port or EndpointProperty.TargetPort => Endpoint.Port.ToString(CultureInfo.InvariantCulture),
        EndpointProperty.Scheme => Endpoint.Endpoint.UriScheme,
        _ => throw new ArgumentOutOfRangeException(nameof(Property)),
    });
}
