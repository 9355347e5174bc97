using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Brokkr.Broker;
using Brokkr.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Brokkr.Tests.Broker;

/// <summary>
/// One real broker per test class: Kestrel on 127.0.0.1:0 against the class's fresh PostgreSQL database, with
/// migrations and the admin bootstrap run as in production. Tests talk to it over HTTP only.
/// </summary>
public class BrokerHost : IAsyncLifetime, IBrokerClients
{
    /// <summary>The public development admin PAK (spec §2.1), accepted by an unconfigured broker.</summary>
    public const string DevAdminPak = "brokkr_BR3rVsDa_GK3QN7CDUzYc6iKgMkJ98M2WSimM5t6U8";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly PostgresDatabaseFixture _database = new();
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new();
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public string ConnectionString => _database.ConnectionString;

    /// <summary>The running broker's services (its route table, for instance).</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("broker not started");

    /// <summary>Settings a derived host adds or overrides (e.g. a small body limit).</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    /// <summary>Last changes to the builder before the broker is built (e.g. an extra log sink).</summary>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    /// <summary>Last changes to the built broker before it starts (e.g. an extra endpoint for a test).</summary>
    protected virtual void Configure(WebApplication app)
    {
    }

    public virtual async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            // The broker pools like in production; the fixture's DROP DATABASE ... WITH (FORCE) ends what is left.
            ["ConnectionStrings:brokkr"] = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Pooling = true }.ConnectionString,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        };
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }
        var builder = BrokerApp.CreateBuilder([], settings);
        Configure(builder);
        var app = BrokerApp.Build(builder);
        try
        {
            Configure(app);
            await app.StartAsync();
        }
        catch
        {
            // A broker that refuses to start (bad settings) still releases what it built; the database goes in DisposeAsync.
            await app.DisposeAsync();
            throw;
        }
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await _database.DisposeAsync();
    }

    /// <summary>An HTTP client for the broker presenting <paramref name="pak"/> (none when null); one per PAK, reused.</summary>
    public HttpClient Client(string? pak = DevAdminPak) => _clients.GetOrAdd(pak ?? "", key =>
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (key.Length > 0)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + key);
        }
        return client;
    });
}

/// <summary>A running broker the test talks to over HTTP, in this process or in its own.</summary>
public interface IBrokerClients
{
    /// <summary>An HTTP client for the broker presenting <paramref name="pak"/> (none when null).</summary>
    HttpClient Client(string? pak = BrokerHost.DevAdminPak);
}

/// <summary>Small helpers over HttpClient for JSON calls against /api/v1.</summary>
public static class BrokerHttp
{
    public static Task<HttpResponseMessage> Send(this HttpClient client, string method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), "/api/v1" + path);
        if (body is not null)
        {
            request.Content = body as HttpContent ?? JsonContent.Create(body, options: BrokerHost.Json);
        }
        return client.SendAsync(request);
    }

    public static async Task<JsonElement> Expect(this Task<HttpResponseMessage> call, int status)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// Asserts an error response with the envelope and the given code; <c>details</c>, if present, is not empty (§3).
    /// Returns the envelope for checks of its message and details.
    /// </summary>
    public static async Task<JsonElement> ExpectError(this Task<HttpResponseMessage> call, int status, string code)
    {
        var body = await call.Expect(status);
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
        if (body.TryGetProperty("details", out var details))
        {
            Assert.True(details.ValueKind == JsonValueKind.Object && details.EnumerateObject().Any(), $"details must be omitted when empty: {body}");
        }
        return body;
    }

    public static Guid Id(this JsonElement element, string property = "id") => element.GetProperty(property).GetGuid();

    public static string Str(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    public static StringContent Raw(string text, string contentType) => new(text, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType));
}
