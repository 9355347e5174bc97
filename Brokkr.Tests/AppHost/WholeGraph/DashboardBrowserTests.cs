using Brokkr.Tests.Infrastructure;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Operations;
using PuppeteerSharp;

namespace Brokkr.Tests.AppHost.WholeGraph;

/// <summary>
/// The Aspire dashboard of the running graph, as a user sees it in a browser (the machine's chromium, driven over the
/// DevTools protocol; nothing is downloaded): signed in with its login token, the resources page lists every resource
/// running and healthy, the structured-log page holds broker and agent logs, and the traces page holds a trace spanning
/// agent and broker — one agent poll — all exported over OTLP.
/// </summary>
[Collection(WholeGraphCollection.Name)]
public sealed class DashboardBrowserTests(WholeGraphFixture graph) : IAsyncLifetime
{
    private static readonly TimeSpan PageWait = TimeSpan.FromSeconds(60);
    private HeadlessChromium? _chromium;

    public async Task InitializeAsync()
    {
        _chromium = await HeadlessChromium.LaunchAsync();
    }

    [Fact]
    public async Task Resources_page_lists_the_whole_graph_running_and_healthy()
    {
        await using var page = await SignedInPageAsync();

        var rows = await Poll.UntilAsync(() => RowsAsync(page), rows => WholeGraphFixture.Services.All(name => IsRunningAndHealthy(rows, name)),
            PageWait, "every resource Running and healthy on the dashboard's resources page");

        Assert.All(WholeGraphFixture.Services, name => Assert.True(IsRunningAndHealthy(rows, name), name));
    }

    [Fact]
    public async Task Traces_page_holds_a_trace_spanning_agent_and_broker()
    {
        await using var page = await SignedInPageAsync();
        await page.GoToAsync(new Uri(graph.DashboardUrl, "/traces").ToString());

        // The agent polls every second: a poll's trace reaches the dashboard within its export interval, and the page
        // (a live Blazor view) shows it without a reload.
        var rows = await Poll.UntilAsync(() => RowsAsync(page), rows => rows.Any(SpansAgentAndBroker), PageWait,
            "a trace with spans of agent and broker on the traces page");

        Assert.Contains(rows, SpansAgentAndBroker);
    }

    [Fact]
    public async Task Structured_logs_page_shows_logs_of_broker_and_agent()
    {
        await using var page = await SignedInPageAsync();
        await page.GoToAsync(new Uri(graph.DashboardUrl, "/structuredlogs").ToString());

        // The first cell of each row names the resource that wrote it; only logs sent over OTLP are listed here.
        var rows = await Poll.UntilAsync(() => RowsAsync(page), rows => new[] { "broker", "agent" }.All(r => rows.Any(row => FirstCell(row) == r)),
            PageWait, "structured log entries of broker and agent");

        Assert.Contains(rows, row => FirstCell(row) == "broker");
        Assert.Contains(rows, row => FirstCell(row) == "agent");
    }

    private static string FirstCell(string row) => row.Split('\n', StringSplitOptions.TrimEntries)[0];

    /// <summary>A row whose Spans cell counts spans of both services ("agent (1)", "broker (2)"); most rows are the agent's alone.</summary>
    private static bool SpansAgentAndBroker(string row)
    {
        var cells = row.Split('\n', StringSplitOptions.TrimEntries);
        return cells.Any(c => c.StartsWith("agent (", StringComparison.Ordinal)) && cells.Any(c => c.StartsWith("broker (", StringComparison.Ordinal));
    }

    private static bool IsRunningAndHealthy(IReadOnlyList<string> rows, string name) =>
        rows.Any(row => row.Split('\n', StringSplitOptions.TrimEntries).Contains(name) && row.Contains("Running", StringComparison.Ordinal) &&
                        !row.Contains("Unhealthy", StringComparison.Ordinal));

    private async Task<IPage> SignedInPageAsync()
    {
        var page = await _chromium!.Browser.NewPageAsync();
        await page.GoToAsync(new Uri(graph.DashboardUrl, $"/login?t={graph.DashboardToken}").ToString());
        // The login page checks the token and then navigates to the resources page.
        await Poll.UntilAsync(() => Task.FromResult(page.Url), url => !url.Contains("/login", StringComparison.Ordinal), PageWait,
            () => "signed in to the dashboard; page: " + page.EvaluateExpressionAsync<string>("document.body.innerText").Result);
        return page;
    }

    /// <summary>The text of each row of the page's data grid.</summary>
    private static Task<string[]> RowsAsync(IPage page) =>
        page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('[role=row]')].map(r => r.innerText)");

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }
    }
}
