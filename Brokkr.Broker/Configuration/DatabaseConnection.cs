using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Brokkr.Broker.Configuration;

/// <summary>
/// Turns the broker's database settings into one Npgsql connection string. Aspire's
/// <c>ConnectionStrings__brokkr</c> wins over upstream's <c>BROKKR__DATABASE__URL</c> (a postgres:// URL), which
/// wins over the built-in default; <c>Brokkr:Database:schema</c> sets the search path.
/// <para>
/// Settings the operator did not write get the broker's defaults: upstream's pool size and no session reset when a
/// connection goes back to the pool (the broker sets no session state on pooled connections; the PAK revocation
/// listener, which does, has its own unpooled connection). Written settings win.
/// </para>
/// <para>
/// Auto-prepared statements stay off (Npgsql's default) although they would halve an agent poll's PostgreSQL cost
/// (planning ~0.9 ms, running ~0.2 ms): in Npgsql 10 a statement that fails inside a transaction can leave its
/// auto-prepared twin corrupt on that pooled connection, and a later use of it fails with "Received unexpected backend
/// message DataRow" (npgsql/npgsql#6391, open) — the broker's refused writes (duplicate names, conflicts) do exactly
/// that. An operator may still opt in with <c>Max Auto Prepare=20;Auto Prepare Min Usages=2</c>. The agents' poll
/// path, which never writes in a transaction, gets them anyway on a pool of its own (<see cref="ForPolling"/>).
/// </para>
/// </summary>
public static class DatabaseConnection
{
    public const string AspireConnectionName = "brokkr";
    public const string DefaultUrl = "postgres://brokkr:brokkr@localhost:5433/brokkr";
    private const int MaxPoolSize = 50;

    public static string Resolve(IConfiguration configuration)
    {
        var aspire = configuration.GetConnectionString(AspireConnectionName);
        var builder = !string.IsNullOrWhiteSpace(aspire)
            ? new NpgsqlConnectionStringBuilder(aspire)
            : FromUrl(configuration["Brokkr:Database:url"] is { Length: > 0 } url ? url : DefaultUrl);
        if (builder.MaxPoolSize == 100)
        {
            // 100 is Npgsql's default: the operator did not choose, so take upstream's pool size.
            builder.MaxPoolSize = MaxPoolSize;
        }
        var written = new DbConnectionStringBuilder { ConnectionString = builder.ConnectionString };
        if (!written.ContainsKey("No Reset On Close"))
        {
            builder.NoResetOnClose = true;
        }
        if (configuration["Brokkr:Database:schema"] is { Length: > 0 } schema)
        {
            builder.SearchPath = $"{schema},public";
        }
        return builder.ConnectionString;
    }

    /// <summary>
    /// The connection string of the poll path's pool (<see cref="Data.PollingCommands"/>): the same database with
    /// auto-prepared statements and half the main pool's size, so the broker opens at most 1.5 × Max Pool Size
    /// connections (plus its listeners') and an operator sizes PostgreSQL's max_connections from the one setting.
    /// </summary>
    public static string ForPolling(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!written.ContainsKey("Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = PollingStatements;
        }
        if (!written.ContainsKey("Auto Prepare Min Usages"))
        {
            builder.AutoPrepareMinUsages = 2;
        }
        builder.MaxPoolSize = Math.Max(2, builder.MaxPoolSize / 2);
        builder.MinPoolSize = Math.Min(builder.MinPoolSize, builder.MaxPoolSize);
        return builder.ConnectionString;
    }

    // Room for every statement of the poll path (target state, its ETag query, two heartbeat updates), twice over.
    private const int PollingStatements = 10;

    /// <summary>postgres://user:password@host:port/database?sslmode=require → Npgsql settings.</summary>
    public static NpgsqlConnectionStringBuilder FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql"))
        {
            // Never echo the value: it normally carries a password.
            throw new InvalidOperationException("Brokkr:Database:url must be a postgres:// or postgresql:// URL");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : null,
        };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(userInfo[0]);
        }
        if (userInfo.Length == 2)
        {
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            builder[key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : key] = value;
        }
        return builder;
    }
}
