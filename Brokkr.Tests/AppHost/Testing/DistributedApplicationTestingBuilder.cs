using Brokkr.AppHost.Hosting;
using Microsoft.Extensions.Configuration;

namespace Brokkr.Tests.AppHost.Testing;

/// <summary>
/// Shaped like Aspire.Hosting.Testing's builder: <see cref="CreateAsync{TEntryPoint}(string[])"/> runs the AppHost's own
/// Program to get its model, with every port random, a throwaway data folder and a quiet console; tests may read the
/// model and its configuration, and drop resources, before building.
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

    /// <summary>The AppHost's configuration: its arguments (the testing defaults among them) and environment variables.</summary>
    public IConfiguration Configuration => _builder.Configuration;

    public DistributedApplicationEnvironment Environment => _builder.Environment;

    public DistributedApplicationExecutionContext ExecutionContext => _builder.ExecutionContext;

    public string DataDirectory { get; }

    /// <summary>Runs the entry point of <typeparamref name="TEntryPoint"/>'s assembly (<c>Projects.Brokkr_AppHost</c>).</summary>
    public static Task<DistributedApplicationTestingBuilder> CreateAsync<TEntryPoint>(params string[] args) where TEntryPoint : class =>
        CreateAsync<TEntryPoint>(args, dataDirectory: null);

    /// <summary>
    /// As above, with the testing defaults plus <paramref name="args"/>. Given a <paramref name="dataDirectory"/> (a
    /// restart), the caller deletes it; otherwise the application does when disposed.
    /// </summary>
    public static Task<DistributedApplicationTestingBuilder> CreateAsync<TEntryPoint>(string[] args, string? dataDirectory)
        where TEntryPoint : class
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
        var entryPoint = typeof(TEntryPoint).Assembly.EntryPoint
                         ?? throw new InvalidOperationException($"{typeof(TEntryPoint).Assembly.GetName().Name} has no entry point");
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
