namespace Brokkr.AppHost.Hosting;

/// <summary>A container image: in publish mode a <c>container.v0</c>, in run mode started by a local runner for its image.</summary>
public class ContainerResource(string name, string image, string tag)
    : Resource(name), IResourceWithEndpoints, IResourceWithEnvironment, IResourceWithArgs, IResourceWithWaitSupport
{
    public string Image { get; } = image;

    public string Tag { get; } = tag;

    public string? Entrypoint { get; set; }

    public string ImageReference => $"{Image}:{Tag}";
}
