using System.Net;

namespace Brokkr.Tests.Broker.OperatorConsole;

/// <summary>
/// The console page and its credential over plain HTTP: served at the root and at every path the API does not own,
/// admin reads everywhere, the two allow-listed POSTs, 403 for every other change, never in the broker's logs.
/// </summary>
public sealed class ConsoleCredentialTests(ConsoleHost broker) : IClassFixture<ConsoleHost>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/fleet")]
    [InlineData("/deployments/some/deep/link")]
    public async Task Console_page_is_served_at_paths_the_api_does_not_own(string path)
    {
        using var response = await broker.Client(null).GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore, "a page carrying a credential must not be cached");
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(broker.Credential, ConsoleHost.CredentialOf(await response.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("/api/v1/no-such-route")]
    [InlineData("/api/nothing")]
    [InlineData("/internal/anything")]
    public async Task Api_and_internal_paths_never_fall_back_to_the_console(string path)
    {
        using var response = await broker.Client().GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("brokkr-console-credential", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Probes_and_metrics_keep_their_own_answers()
    {
        Assert.DoesNotContain("<html", await broker.Client(null).GetStringAsync("/healthz"));
        Assert.Contains("brokkr_http_requests_total", await broker.Client(null).GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Console_static_files_are_served_and_unknown_ones_are_404()
    {
        using var script = await broker.Client(null).GetAsync("/console/console.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        using var missing = await broker.Client(null).GetAsync("/console/missing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Credential_reads_everything_as_a_read_only_admin()
    {
        var console = broker.Client(broker.Credential);

        var who = await console.Send("POST", "/auth/pak").Expect(200);
        Assert.True(who.GetProperty("admin").GetBoolean());
        Assert.True(who.GetProperty("readonly").GetBoolean());
        var agents = await console.Send("GET", "/agents").Expect(200);
        Assert.Contains(agents.EnumerateArray(), a => a.Id() == broker.Shared.A1.Id);
        await console.Send("GET", "/paks").Expect(200);
        await console.Send("GET", $"/stacks/{broker.Shared.S1}/deployment-objects").Expect(200);
    }

    [Fact]
    public async Task Diagnostic_request_is_allow_listed_and_not_refused_as_a_write()
    {
        var created = await broker.Client(broker.Credential).Send("POST", $"/deployment-objects/{broker.Shared.D1}/diagnostics",
            new { agent_id = broker.Shared.A1.Id }).Expect(201);

        Assert.Equal(("pending", broker.Shared.A1.Id), (created.Str("status"), created.Id("agent_id")));
    }

    [Theory]
    [InlineData("POST", "/stacks")]
    [InlineData("POST", "/generators")]
    [InlineData("PUT", "/agents/{agent}")]
    [InlineData("DELETE", "/agents/{agent}")]
    [InlineData("PATCH", "/agents/{agent}/health-status")]
    [InlineData("POST", "/agents/{agent}/rotate-pak")]
    [InlineData("POST", "/agents/{agent}/heartbeat")]
    [InlineData("POST", "/deployment-objects/not-a-uuid/diagnostics")]
    [InlineData("POST", "/admin/config/reload")]
    public async Task Every_other_change_is_403_and_changes_nothing(string method, string path)
    {
        var before = await broker.Client().Send("GET", $"/agents/{broker.Shared.A1.Id}").Expect(200);

        await broker.Client(broker.Credential).Send(method, path.Replace("{agent}", broker.Shared.A1.Id.ToString()),
            new { name = Fleet.Unique("x"), status = "INACTIVE" }).ExpectError(403, "read_only_credential");

        var after = await broker.Client().Send("GET", $"/agents/{broker.Shared.A1.Id}").Expect(200);
        Assert.Equal(before.GetRawText(), after.GetRawText());
    }

    [Fact]
    public async Task Credential_never_reaches_the_logs()
    {
        await broker.Client(broker.Credential).Send("POST", "/stacks", new { name = "x" }).ExpectError(403, "read_only_credential");
        await broker.Client(null).GetStringAsync("/");

        Assert.DoesNotContain(broker.Lines, line => line.Contains(broker.Credential, StringComparison.Ordinal));
        Assert.DoesNotContain(broker.Lines, line => line.Contains(broker.Credential.Split('_')[2], StringComparison.Ordinal));
    }
}
