using Brokkr.AppHost.Hosting;

namespace Brokkr.Tests.AppHost.Testing;

/// <summary>
/// Shaped like Aspire.Hosting.Testing's builder: runs the AppHost's own Program to get its model, with every port random,
/// a throwaway data folder and a quiet console; tests may drop resources before building.
/// </summary>
public sealed class DistributedApplicationTestingBuilder
{
    private readonly IDistributedApplicationBuilder _builder;

    private readonly bool _ownsDataDirectory;

    private DistributedApplicationTestingBuilder(IDistributedApplicationBuilder builder, string dataDirectory, bool ownsDataDirectory)
    {
        _builder = builder;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
    }

    public List<IResource> Resources => _builder.Resources;

    public string DataDirectory { get; }

    public static Task<DistributedApplicationTestingBuilder> CreateAsync() => CreateAsync([]);

    /// <summary>
    /// Runs Brokkr.AppHost's entry point with the testing defaults plus <paramref name="args"/>. Given a
    /// <paramref name="dataDirectory"/> (a restart), the caller deletes it; otherwise the application does when disposed.
    /// </summary>
    public static Task<DistributedApplicationTestingBuilder> CreateAsync(string[] args, string? dataDirectory = null)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "brokkr-apphost-test-" + Guid.NewGuid().ToString("N")[..8]);
        var capture = new DistributedApplicationCapture(
        [
            .. args,
            $"--AppHost:DataDirectory={dataDirectory}",
            "--AppHost:RandomizePorts=true",
            "--AppHost:Console=quiet",
            // Never a developer's own cluster.
            "--AppHost:UseKubernetesStandIn=true",
        ]);
        var entryPoint = typeof(DistributedApplication).Assembly.EntryPoint
                         ?? throw new InvalidOperationException("Brokkr.AppHost has no entry point");
        var builder = capture.Run(() => entryPoint.Invoke(null, [Array.Empty<string>()]));
        return Task.FromResult(new DistributedApplicationTestingBuilder(builder, dataDirectory, owns));
    }

    /// <summary>Keeps only the named resources (and what is not a runnable resource, e.g. parameters).</summary>
    public DistributedApplicationTestingBuilder WithOnly(params string[] names)
    {
        Resources.RemoveAll(r => !names.Contains(r.Name));
        return this;
    }

    /// <summary>Sets an environment variable of one resource's process (e.g. a shorter polling interval).</summary>
    public DistributedApplicationTestingBuilder WithEnvironment(string resourceName, string name, string value)
    {
        Resources.Single(r => r.Name == resourceName).Annotations.Add(new EnvironmentCallbackAnnotation(context =>
        {
            context.EnvironmentVariables[name] = value;
            return Task.CompletedTask;
        }));
        return this;
    }

    public Task<TestingApplication> BuildAsync() => Task.FromResult(new TestingApplication(_builder.Build(), _ownsDataDirectory ? DataDirectory : null));
}
