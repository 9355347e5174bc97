using Brokkr.Broker.Authentication;
using Brokkr.Broker.Configuration;
using Brokkr.Broker.Data;
using Brokkr.Broker.Startup;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Commands;

/// <summary>
/// What an administrative subcommand works with: the broker's own services, built from exactly the configuration
/// <c>serve</c> would read (appsettings, <c>BROKKR_CONFIG_FILE</c>, <c>BROKKR__*</c>, <c>ConnectionStrings__brokkr</c>),
/// but never started — no listener, no background services. Logs go to stderr so stdout holds only the result.
/// </summary>
public sealed class AdminSession : IAsyncDisposable
{
    private static readonly Dictionary<string, string?> CommandLogging = new()
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:Console:LogToStandardErrorThreshold"] = "Trace",
    };

    private readonly WebApplication _app;
    private readonly AsyncServiceScope _scope;

    private AdminSession(WebApplication app)
    {
        _app = app;
        _scope = app.Services.CreateAsyncScope();
    }

    public IServiceProvider Services => _scope.ServiceProvider;

    public BrokkrDbContext Db => Services.GetRequiredService<BrokkrDbContext>();

    public PakFormat Paks => Services.GetRequiredService<PakFormat>();

    public PakRevocations Revocations => Services.GetRequiredService<PakRevocations>();

    public BrokerOptions Options => Services.GetRequiredService<IOptions<BrokerOptions>>().Value;

    /// <summary>The broker's services without a database (generate-pak).</summary>
    public static AdminSession Offline(IReadOnlyDictionary<string, string?>? settings) => new(Build(settings));

    /// <summary>
    /// The broker's services on a database brought to the current schema, as <c>serve</c> would (unless
    /// <c>broker.migrate_on_startup</c> is off).
    /// </summary>
    public static async Task<AdminSession> OpenAsync(IReadOnlyDictionary<string, string?>? settings, CancellationToken cancellationToken)
    {
        var session = new AdminSession(Build(settings));
        try
        {
            if (session.Options.MigrateOnStartup)
            {
                var logger = session.Services.GetRequiredService<ILogger<AdminSession>>();
                await ExclusiveMigration.MigrateAsync(session.Db.Database, logger, cancellationToken);
            }
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    private static WebApplication Build(IReadOnlyDictionary<string, string?>? settings)
    {
        var merged = new Dictionary<string, string?>(CommandLogging);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }
        return BrokerApp.CreateBuilder([], merged).Build();
    }

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync();
        await _app.DisposeAsync();
    }
}
