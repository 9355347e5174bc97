namespace Brokkr.AppHost.Hosting;

public static class ContainerResourceBuilderExtensions
{
    public static IResourceBuilder<ContainerResource> AddContainer(this IDistributedApplicationBuilder builder, string name, string image,
        string tag = "latest") => builder.AddResource(new ContainerResource(name, image, tag));

    /// <summary>A host folder or file mounted into the container; <paramref name="source"/> is relative to the AppHost folder.</summary>
    public static IResourceBuilder<T> WithBindMount<T>(this IResourceBuilder<T> builder, string source, string target, bool isReadOnly = false)
        where T : ContainerResource =>
        builder.WithAnnotation(new ContainerMountAnnotation(
            Path.GetFullPath(Path.Combine(builder.ApplicationBuilder.AppHostDirectory, source)), target, ContainerMountType.BindMount, isReadOnly));

    public static IResourceBuilder<T> WithVolume<T>(this IResourceBuilder<T> builder, string? name, string target, bool isReadOnly = false)
        where T : ContainerResource =>
        builder.WithAnnotation(new ContainerMountAnnotation(name, target, ContainerMountType.Volume, isReadOnly));
}
