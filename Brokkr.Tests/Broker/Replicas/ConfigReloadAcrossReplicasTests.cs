using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Tests.Broker.Replicas;

/// <summary>
/// <c>POST /admin/config/reload</c> on one replica makes every replica re-read its own configuration: two broker
/// processes on one database, each with its own TOML file, and a reload called on one of them only.
/// </summary>
public sealed class ConfigReloadAcrossReplicasTests : IAsyncLifetime
{
    private readonly PostgresDatabaseFixture _database = new();
    private readonly string _fileA = Path.Combine(Path.GetTempPath(), $"brokkr-replica-a-{Guid.NewGuid():N}.toml");
    private readonly string _fileB = Path.Combine(Path.GetTempPath(), $"brokkr-replica-b-{Guid.NewGuid():N}.toml");
    private BrokerReplica _a = null!;
    private BrokerReplica _b = null!;

    public async Task InitializeAsync()
    {
        Write(_fileA, "http://one.example");
        Write(_fileB, "http://one.example");
        await _database.InitializeAsync();
        _a = await BrokerReplica.StartAsync(_database.ConnectionString, new Dictionary<string, string?> { ["BROKKR_CONFIG_FILE"] = _fileA });
        _b = await BrokerReplica.StartAsync(_database.ConnectionString, new Dictionary<string, string?>
        {
            ["BROKKR_CONFIG_FILE"] = _fileB,
            ["Logging__LogLevel__Brokkr.Broker.Configuration"] = "Information",
        });
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _database.DisposeAsync();
        File.Delete(_fileA);
        File.Delete(_fileB);
    }

    [Fact]
    public async Task A_reload_called_on_one_replica_reloads_the_other_from_its_own_file()
    {
        Assert.True(await AllowedAsync(_b, "http://one.example"));
        // Each replica's file changes differently: each must apply its own.
        Write(_fileA, "http://two.example");
        Write(_fileB, "http://three.example");

        var answer = await _a.Client().Send("POST", "/admin/config/reload").Expect(200);

        Assert.True(answer.GetProperty("success").GetBoolean());
        var change = Assert.Single(answer.GetProperty("changes").EnumerateArray());
        Assert.Equal(("cors.allowed_origins", "http://two.example"), (change.Str("key"), change.Str("new_value")));
        Assert.Contains("other replicas were asked to reload", answer.Str("message"));
        Assert.True(await AllowedAsync(_a, "http://two.example"));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await AllowedAsync(_b, "http://three.example"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the other replica never reloaded:\n" + _b.Service.Output);
            await Task.Delay(50);
        }
        Assert.False(await AllowedAsync(_b, "http://one.example"));
        Assert.False(await AllowedAsync(_b, "http://two.example"));
        // The replica applies the new settings before it logs them, and its console output arrives asynchronously.
        await Poll.UntilAsync(() => Task.FromResult(_b.Service.Output),
            output => output.Contains("Configuration reloaded on another replica's request: cors.allowed_origins 'http://one.example' -> 'http://three.example'", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the other replica did not log its reload");
        // The replica that was called reloads once, not again on its own notice.
        Assert.DoesNotContain("another replica's request", _a.Service.Output);
    }

    [Fact]
    public async Task A_replica_whose_listener_was_down_during_a_reload_reloads_once_it_listens_again()
    {
        Write(_fileA, "http://two.example");
        Write(_fileB, "http://three.example");

        // With both listeners cut, the reload's notice reaches nobody.
        Assert.Equal(2, await ReplicaListeners.TerminateAsync(_database.ConnectionString));
        await _a.Client().Send("POST", "/admin/config/reload").Expect(200);
        Assert.Equal(0, await ReplicaListeners.CountAsync(_database.ConnectionString));

        await Poll.UntilAsync(() => AllowedAsync(_b, "http://three.example"), allowed => allowed, TimeSpan.FromSeconds(30),
            () => "the other replica never caught up with the reload:\n" + _b.Service.Output);
        await Poll.UntilAsync(() => Task.FromResult(_b.Service.Output),
            output => output.Contains("Configuration reloaded for a request another replica sent while this one was not listening", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the other replica did not log its late reload");
        Assert.False(await AllowedAsync(_b, "http://one.example"));
    }

    private static void Write(string file, string origin) => File.WriteAllText(file, $"""
        [cors]
        allowed_origins = ["{origin}"]
        """);

    /// <summary>Whether a browser preflight from <paramref name="origin"/> is allowed by <paramref name="replica"/>.</summary>
    private static async Task<bool> AllowedAsync(BrokerReplica replica, string origin)
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/agents");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        using var response = await replica.Client(null).SendAsync(preflight);
        return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Contains(origin);
    }
}
