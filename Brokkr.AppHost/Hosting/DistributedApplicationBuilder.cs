using Microsoft.Extensions.Configuration;

namespace Brokkr.AppHost.Hosting;

public interface IDistributedApplicationBuilder
{
    IConfiguration Configuration { get; }

    DistributedApplicationEnvironment Environment { get; }

    DistributedApplicationExecutionContext ExecutionContext { get; }

    /// <summary>The AppHost's name (its project name); volume names derive from it.</summary>
    string ApplicationName { get; }

    string AppHostDirectory { get; }

    /// <summary>The model, in declaration order. Tests may remove resources before <see cref="Build"/>.</summary>
    List<IResource> Resources { get; }

    IResourceBuilder<T> AddResource<T>(T resource) where T : IResource;

    IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource;

    DistributedApplication Build();
}

internal sealed class DistributedApplicationBuilder : IDistributedApplicationBuilder
{
    private bool _captured;

    public const string AppHostProjectName = "Brokkr.AppHost";

    public DistributedApplicationBuilder(string[] args, bool captured)
    {
        _captured = captured;
        Configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(args, new Dictionary<string, string>
            {
                ["--publisher"] = "Publishing:Publisher",
                ["--output-path"] = "Publishing:OutputPath",
            })
            .Build();
        Environment = DistributedApplicationEnvironment.FromConfiguration(Configuration);
        AppHostDirectory = FindAppHostDirectory();
        var operation = string.IsNullOrEmpty(Configuration["Publishing:Publisher"])
            ? DistributedApplicationOperation.Run
            : DistributedApplicationOperation.Publish;
        ExecutionContext = new DistributedApplicationExecutionContext(operation, Configuration, AppHostDirectory);
    }

    public IConfiguration Configuration { get; }

    public DistributedApplicationEnvironment Environment { get; }

    public DistributedApplicationExecutionContext ExecutionContext { get; }

    public string ApplicationName => AppHostProjectName;

    public string AppHostDirectory { get; }

    public List<IResource> Resources { get; } = [];

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource
    {
        if (Resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"a resource named '{resource.Name}' already exists");
        }

        Resources.Add(resource);
        return CreateResourceBuilder(resource);
    }

    public IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource => new ResourceBuilder<T>(resource, this);

    /// <summary>Under a test capture the entry point's own Build().Run() does nothing; the test's Build() is the real one.</summary>
    public DistributedApplication Build()
    {
        var app = new DistributedApplication([.. Resources], ExecutionContext, captured: _captured);
        _captured = false;
        return app;
    }

    /// <summary>The AppHost project folder: found from the running binary (its own bin/ or a test project's).</summary>
    private static string FindAppHostDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, AppHostProjectName + ".csproj")))
            {
                return dir.FullName;
            }

            var sibling = Path.Combine(dir.FullName, AppHostProjectName);
            if (File.Exists(Path.Combine(sibling, AppHostProjectName + ".csproj")))
            {
                return sibling;
            }
        }

        throw new InvalidOperationException($"{AppHostProjectName}.csproj not found above {AppContext.BaseDirectory}");
    }
}
