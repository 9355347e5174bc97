using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brokkr.Benchmarks;

/// <summary>A service made the way Brokkr's services are (AddServiceDefaults/MapDefaultEndpoints) on 127.0.0.1:0.</summary>
internal sealed class BenchmarkHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private BenchmarkHost(WebApplication app)
    {
        this.app = app;
        Client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public HttpClient Client { get; }

    public static async Task<BenchmarkHost> StartAsync(TelemetryMode mode)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(mode.Settings());
        builder.AddServiceDefaults();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/api/v1/items/{id}", (string id) => Results.Ok(new { id }));
        await app.StartAsync();
        return new BenchmarkHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
