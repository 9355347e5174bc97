using System.Net;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Brokkr.Tests.Broker;

/// <summary>Admin bootstrap (spec §2.6) and the broker's database settings (§8.1–§8.2, Aspire's connection string).</summary>
public sealed class BootstrapTests
{
    private const string CustomPak = "brokkr_BRcustom1_4Gx2wDkH7pQ9sT3vY6zB8nM1cF5jL2aR";

    /// <summary>A broker with settings chosen by the test, started and disposed by it; its log lines are captured.</summary>
    private sealed class ConfiguredBroker(Dictionary<string, string?> settings) : LogCapturingBrokerHost
    {
        /// <summary>This broker's database, for a second broker to start against.</summary>
        public string PooledConnectionString => new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = true }.ConnectionString;

        protected override IReadOnlyDictionary<string, string?> ExtraSettings => settings;
    }

    [Fact]
    public async Task A_configured_admin_hash_replaces_the_public_development_key()
    {
        var broker = new ConfiguredBroker(new() { ["Brokkr:Broker:pak_hash"] = PakFormat.HashOf(CustomPak)!.ToUpperInvariant() });
        try
        {
            await broker.InitializeAsync();
            using (var refused = await broker.Client().Send("POST", "/auth/pak"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }
            Assert.True((await broker.Client(CustomPak).Send("POST", "/auth/pak").Expect(200)).GetProperty("admin").GetBoolean());
            // admin-generator shares the admin hash, but admin is resolved first.
            var paks = await broker.Client(CustomPak).Send("GET", "/paks").Expect(200);
            Assert.Contains(paks.EnumerateArray(), p => p.Str("name") == "admin-generator");
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_hash_configured_after_the_first_start_is_ignored_and_the_log_says_so()
    {
        var hash = PakFormat.HashOf(CustomPak)!;
        var first = new ConfiguredBroker([]);
        ConfiguredBroker? second = null;
        try
        {
            await first.InitializeAsync();
            second = new ConfiguredBroker(new() { ["ConnectionStrings:brokkr"] = first.PooledConnectionString, ["Brokkr:Broker:pak_hash"] = hash });
            await second.InitializeAsync();

            Assert.Contains(second.Lines, line => line.Contains("pak_hash") && line.Contains("ignored"));
            Assert.DoesNotContain(first.Lines, line => line.Contains("ignored"));
            Assert.DoesNotContain(second.Lines, line => line.Contains(hash, StringComparison.OrdinalIgnoreCase));
            // Ignored indeed: the development key still administers the broker, the configured one is unknown.
            await second.Client().Send("POST", "/auth/pak").Expect(200);
            using var refused = await second.Client(CustomPak).Send("POST", "/auth/pak");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        finally
        {
            if (second is not null)
            {
                await second.DisposeAsync();
            }
            await first.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_a_hash_the_first_start_mints_an_admin_PAK_into_the_key_file_and_removes_it_on_shutdown()
    {
        var keyFile = Path.Combine(Path.GetTempPath(), $"brokkr-key-{Guid.NewGuid():N}", "key.txt");
        var broker = new ConfiguredBroker(new() { ["Brokkr:Broker:pak_hash"] = "", ["Brokkr:Broker:admin_key_file"] = keyFile });
        try
        {
            await broker.InitializeAsync();
            var minted = (await File.ReadAllTextAsync(keyFile)).Trim();
            Assert.Matches("^brokkr_BR[1-9A-HJ-NP-Za-km-z]{6}_[1-9A-HJ-NP-Za-km-z]{30,34}$", minted);
            Assert.True((await broker.Client(minted).Send("POST", "/auth/pak").Expect(200)).GetProperty("admin").GetBoolean());
            using var refused = await broker.Client().Send("POST", "/auth/pak");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        finally
        {
            await broker.DisposeAsync();
        }
        Assert.False(File.Exists(keyFile));
        Directory.Delete(Path.GetDirectoryName(keyFile)!);
    }

    [Fact]
    public async Task A_malformed_admin_hash_stops_the_first_start()
    {
        var broker = new ConfiguredBroker(new() { ["Brokkr:Broker:pak_hash"] = "not-a-sha256" });
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(broker.InitializeAsync);
            Assert.Contains("pak_hash", error.Message);
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }

    [Fact]
    public void Aspires_connection_string_wins_over_the_upstream_URL()
    {
        var resolved = Resolve(new()
        {
            ["ConnectionStrings:brokkr"] = "Host=aspire-db;Port=6000;Database=app;Username=u",
            ["Brokkr:Database:url"] = "postgres://other:pw@elsewhere:5433/brokkr",
        });
        Assert.Equal(("aspire-db", 6000, "app"), (resolved.Host, resolved.Port, resolved.Database));
    }

    [Fact]
    public void The_upstream_URL_is_parsed_with_credentials_options_schema_and_pool_size()
    {
        var resolved = Resolve(new()
        {
            ["Brokkr:Database:url"] = "postgres://brokkr%40corp:p%3Ass@db.internal:5433/brokkr?sslmode=require",
            ["Brokkr:Database:schema"] = "tenant_a",
        });
        Assert.Equal(("db.internal", 5433, "brokkr"), (resolved.Host, resolved.Port, resolved.Database));
        Assert.Equal(("brokkr@corp", "p:ss"), (resolved.Username, resolved.Password));
        Assert.Equal(SslMode.Require, resolved.SslMode);
        Assert.Equal("tenant_a,public", resolved.SearchPath);
        Assert.Equal(50, resolved.MaxPoolSize);
    }

    [Theory]
    [InlineData("ConnectionStrings:brokkr", "Host=db;Username=u")]
    [InlineData("Brokkr:Database:url", "postgres://u@db/brokkr")]
    public void Unwritten_the_hot_path_settings_take_the_brokers_defaults(string key, string value)
    {
        var resolved = Resolve(new() { [key] = value });
        // Auto-prepare stays off: DatabaseConnection says why (npgsql/npgsql#6391).
        Assert.Equal((0, true), (resolved.MaxAutoPrepare, resolved.NoResetOnClose));
    }

    [Theory]
    [InlineData("ConnectionStrings:brokkr", "Host=db;Username=u;max auto prepare=0;No Reset On Close=false")]
    [InlineData("Brokkr:Database:url", "postgres://u@db/brokkr?Max%20Auto%20Prepare=0&No%20Reset%20On%20Close=false")]
    public void Written_hot_path_settings_win_even_when_they_are_npgsqls_defaults(string key, string value)
    {
        // Behind a PgBouncer in transaction mode an operator turns prepared statements off: 0 must stay 0.
        var resolved = Resolve(new() { [key] = value });
        Assert.Equal((0, false), (resolved.MaxAutoPrepare, resolved.NoResetOnClose));
    }

    [Theory]
    [InlineData("ConnectionStrings:brokkr", "Host=db;Username=u")]
    [InlineData("Brokkr:Database:url", "postgres://u@db/brokkr")]
    public void The_poll_paths_pool_auto_prepares_and_is_half_the_size(string key, string value)
    {
        var polling = new NpgsqlConnectionStringBuilder(DatabaseConnection.ForPolling(Resolve(new() { [key] = value }).ConnectionString));
        Assert.Equal((10, 2, 25, true), (polling.MaxAutoPrepare, polling.AutoPrepareMinUsages, polling.MaxPoolSize, polling.NoResetOnClose));
    }

    [Theory]
    [InlineData("ConnectionStrings:brokkr", "Host=db;Username=u;max auto prepare=0;Maximum Pool Size=7")]
    [InlineData("Brokkr:Database:url", "postgres://u@db/brokkr?Max%20Auto%20Prepare=0&Maximum%20Pool%20Size=7")]
    public void Written_prepare_settings_bind_the_poll_paths_pool_too(string key, string value)
    {
        // Behind a PgBouncer in transaction mode prepared statements must stay off everywhere.
        var polling = new NpgsqlConnectionStringBuilder(DatabaseConnection.ForPolling(Resolve(new() { [key] = value }).ConnectionString));
        Assert.Equal((0, 3), (polling.MaxAutoPrepare, polling.MaxPoolSize));
    }

    [Fact]
    public void An_operator_may_opt_in_to_auto_prepared_statements()
    {
        var resolved = Resolve(new() { ["ConnectionStrings:brokkr"] = "Host=db;Username=u;Max Auto Prepare=20;Auto Prepare Min Usages=2" });
        Assert.Equal((20, 2), (resolved.MaxAutoPrepare, resolved.AutoPrepareMinUsages));
    }

    [Fact]
    public void Without_settings_the_broker_uses_upstreams_default_database()
    {
        var resolved = Resolve([]);
        Assert.Equal(("localhost", 5433, "brokkr", "brokkr"), (resolved.Host, resolved.Port, resolved.Database, resolved.Username));
    }

    [Fact]
    public void A_URL_that_is_not_postgres_is_refused_without_echoing_it()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Resolve(new() { ["Brokkr:Database:url"] = "mysql://root:secret@db/x" }));
        Assert.DoesNotContain("secret", error.Message);
    }

    private static NpgsqlConnectionStringBuilder Resolve(Dictionary<string, string?> settings) =>
        new(DatabaseConnection.Resolve(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
}
