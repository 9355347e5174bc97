using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brokkr.Tests.ServiceDefaults;

/// <summary>A minimal service using AddServiceDefaults()/MapDefaultEndpoints(), served by Kestrel on 127.0.0.1:0.</summary>
internal sealed class ServiceDefaultsHost : IAsyncDisposable
{
    private ServiceDefaultsHost(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public static async Task<ServiceDefaultsHost> StartAsync(IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configureServices = null, Action<WebApplication>? mapEndpoints = null,
        Action<IConfigurationBuilder>? configuration = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        configuration?.Invoke(builder.Configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddServiceDefaults();
        configureServices?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        mapEndpoints?.Invoke(app);
        await app.StartAsync();
        return new ServiceDefaultsHost(app, new Uri(app.Urls.First()));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
