using System.Text.Json;
using Brokkr.ServiceDefaults.Configuration;
using Microsoft.AspNetCore.Builder;

namespace Brokkr.Tests.Broker.Admin;

/// <summary>A broker reading a TOML file the test rewrites, with its log lines captured.</summary>
public sealed class ReloadBroker : LogCapturingBrokerHost
{
    public string ConfigFile { get; } = Path.Combine(Path.GetTempPath(), $"brokkr-reload-{Guid.NewGuid():N}.toml");

    public void Write(string level, string origin, int cleanupSeconds = 3600) => File.WriteAllText(ConfigFile, $"""
        [log]
        level = "{level}"

        [cors]
        allowed_origins = ["{origin}"]

        [broker]
        audit_log_cleanup_interval_seconds = {cleanupSeconds}
        """);

    protected override void Configure(WebApplicationBuilder builder)
    {
        base.Configure(builder);
        Write("warn", "http://one.example");
        builder.Configuration.AddBrokkrConfigFile(ConfigFile);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(ConfigFile);
    }
}

/// <summary><c>POST /admin/config/reload</c> on a running broker: the log level and CORS origins change without a restart.</summary>
public sealed class ConfigReloadTests(ReloadBroker broker) : IClassFixture<ReloadBroker>
{
    private const string Refusal = "refused by the database";

    [Fact]
    public async Task Reload_applies_a_new_log_level_and_CORS_origin_and_reports_and_audits_the_changes()
    {
        // The starting point, whatever the class's other test left applied.
        broker.Write("warn", "http://one.example");
        await broker.Client().Send("POST", "/admin/config/reload").Expect(200);
        broker.Lines.Clear();
        var name = Fleet.Unique("dup");
        await broker.Client().Send("POST", "/generators", new { name }).Expect(201);
        // At warn, the Information line about a refused duplicate is filtered out.
        await broker.Client().Send("POST", "/generators", new { name }).Expect(409);
        Assert.DoesNotContain(broker.Lines, l => l.Contains(Refusal));
        Assert.False(await AllowedAsync("http://two.example"));
        Assert.True(await AllowedAsync("http://one.example"));

        broker.Write("info", "http://two.example", cleanupSeconds: 60);
        var answer = await broker.Client().Send("POST", "/admin/config/reload").Expect(200);

        Assert.True(answer.GetProperty("success").GetBoolean());
        Assert.NotEqual(default, answer.GetProperty("reloaded_at").GetDateTime());
        var changes = answer.GetProperty("changes").EnumerateArray()
            .ToDictionary(c => c.GetProperty("key").GetString()!, c => (c.GetProperty("old_value").GetString(), c.GetProperty("new_value").GetString()));
        Assert.Equal(("warn", "info"), changes["log.level"]);
        Assert.Equal(("http://one.example", "http://two.example"), changes["cors.allowed_origins"]);
        Assert.Equal(("3600", "60"), changes["broker.audit_log_cleanup_interval_seconds"]);
        Assert.Equal(3, changes.Count);
        Assert.Contains(broker.Lines, l => l.Contains("Configuration reloaded") && l.Contains("log.level 'warn' -> 'info'"));

        await broker.Client().Send("POST", "/generators", new { name }).Expect(409);
        Assert.Contains(broker.Lines, l => l.Contains(Refusal) && l.Contains("Information"));
        Assert.True(await AllowedAsync("http://two.example"));
        Assert.False(await AllowedAsync("http://one.example"));

        // Nothing changed: an empty change set.
        Assert.Equal(0, (await broker.Client().Send("POST", "/admin/config/reload").Expect(200)).GetProperty("changes").GetArrayLength());
        await AuditedAsync();
    }

    [Fact]
    public async Task An_invalid_new_configuration_is_refused_whole_and_only_the_admin_may_reload()
    {
        broker.Write("info", "http://two.example");
        await broker.Client().Send("POST", "/admin/config/reload").Expect(200);
        broker.Write("loud", "http://three.example");

        await broker.Client().Send("POST", "/admin/config/reload").ExpectError(500, "config_reload_failed");
        // Neither the bad level nor the valid origin beside it was applied.
        Assert.True(await AllowedAsync("http://two.example"));
        Assert.False(await AllowedAsync("http://three.example"));

        var generator = await new Fleet(broker).GeneratorAsync();
        await broker.Client(generator.Pak).Send("POST", "/admin/config/reload").ExpectError(403, "admin_required");
        using var anonymous = new HttpClient { BaseAddress = broker.BaseAddress };
        Assert.Equal(401, (int)(await anonymous.PostAsync("/api/v1/admin/config/reload", null)).StatusCode);
    }

    private async Task AuditedAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var logs = (await broker.Client().Send("GET", "/admin/audit-logs?action=config.reloaded").Expect(200)).GetProperty("logs");
            var withChanges = logs.EnumerateArray().FirstOrDefault(e => e.GetProperty("details").GetProperty("changes").GetArrayLength() == 3);
            if (withChanges.ValueKind == JsonValueKind.Object)
            {
                Assert.Equal(("admin", "config"), (withChanges.GetProperty("actor_type").GetString(), withChanges.GetProperty("resource_type").GetString()));
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, "config.reloaded was never audited: " + logs);
            await Task.Delay(50);
        }
    }

    /// <summary>Whether a browser preflight from <paramref name="origin"/> is allowed.</summary>
    private async Task<bool> AllowedAsync(string origin)
    {
        using var client = new HttpClient { BaseAddress = broker.BaseAddress };
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/agents");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        using var response = await client.SendAsync(preflight);
        return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Contains(origin);
    }
}
