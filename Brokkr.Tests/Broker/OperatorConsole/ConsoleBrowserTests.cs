using Brokkr.Tests.Infrastructure;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Operations;
using PuppeteerSharp;

namespace Brokkr.Tests.Broker.OperatorConsole;

/// <summary>
/// The console as an operator sees it, in the machine's chromium (nothing downloaded): every view renders the seeded
/// broker's data, views of features this broker lacks say so, a write with the page's credential is refused, and each
/// view is captured at desktop and phone width into <c>console-screenshots/</c> of the test output.
/// </summary>
public sealed class ConsoleBrowserTests(ConsoleHost broker) : IClassFixture<ConsoleHost>, IAsyncLifetime
{
    private static readonly TimeSpan PageWait = TimeSpan.FromSeconds(30);
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "console-screenshots");
    private HeadlessChromium? _chromium;

    public async Task InitializeAsync()
    {
        _chromium = await HeadlessChromium.LaunchAsync();
        Directory.CreateDirectory(Screenshots);
    }

    public static TheoryData<string, string> Views => new()
    {
        { "/", "overview" },
        { "/fleet", "fleet" },
        { "/deployments", "deployments" },
        { "/telemetry", "telemetry" },
        { "/work-orders", "work-orders" },
        { "/webhooks", "webhooks" },
        { "/broker", "broker" },
    };

    [Theory]
    [MemberData(nameof(Views))]
    public async Task View_renders_the_seeded_broker(string path, string view)
    {
        await using var page = await OpenAsync(path, view, 1280, 860);
        var text = await TextAsync(page);

        switch (view)
        {
            case "overview":
                Assert.Contains("Fleet health", text);
                Assert.Contains("DEPLOY".ToLowerInvariant(), text.ToLowerInvariant());
                break;
            case "fleet":
                Assert.Contains(broker.Shared.A1Name, text);
                Assert.Contains("Cluster " + World.Cluster, text);
                break;
            case "deployments":
                var stack = await broker.Client().Send("GET", $"/stacks/{broker.Shared.S1}").Expect(200);
                Assert.Contains(stack.Str("name"), text);
                break;
            case "telemetry":
                Assert.Contains(broker.Shared.A1Name, text);
                break;
            case "broker":
                Assert.Contains("ready", text);
                break;
            case "work-orders":
                Assert.Contains("custom", text);
                Assert.Contains("pending", text, StringComparison.OrdinalIgnoreCase);
                break;
            case "webhooks":
                Assert.Contains("console-hook", text);
                Assert.Contains("yes (redacted)", text);
                Assert.DoesNotContain(ConsoleHost.WebhookUrlSecret, text);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(view), view, "a view without its assertions");
        }
        Assert.DoesNotContain("Could not load", text);
        await page.ScreenshotAsync(Path.Combine(Screenshots, $"console-{view}.png"));
        await page.SetViewportAsync(new ViewPortOptions { Width = 390, Height = 844 });
        await page.ScreenshotAsync(Path.Combine(Screenshots, $"console-{view}-phone.png"));
    }

    [Fact]
    public async Task Fleet_row_opens_the_agent_detail_panel()
    {
        await using var page = await OpenAsync("/fleet", "fleet", 1280, 860);

        await page.ClickAsync($"tr[data-id='{broker.Shared.A1.Id}'] button");
        var detail = await Poll.UntilAsync(() => page.EvaluateExpressionAsync<string>("document.getElementById('detail').innerText"),
            t => t.Contains("Registered with", StringComparison.Ordinal), PageWait, "the agent detail panel");

        Assert.Contains(broker.Shared.A1.Id.ToString(), detail);
        Assert.Contains(World.AgentLabel, detail);
        await page.ScreenshotAsync(Path.Combine(Screenshots, "console-fleet-detail.png"));
    }

    [Fact]
    public async Task Stack_detail_shows_the_per_object_health_rollup()
    {
        await using var page = await OpenAsync("/deployments", "deployments", 1280, 860);

        await page.ClickAsync($"tr[data-id='{broker.Shared.S1}'] button");
        var detail = await Poll.UntilAsync(() => page.EvaluateExpressionAsync<string>("document.getElementById('detail').innerText"),
            t => t.Contains("Overall health", StringComparison.Ordinal), PageWait, "the stack detail panel");

        Assert.Contains(broker.Shared.D1.ToString()[..8], detail);
    }

    [Fact]
    public async Task A_write_with_the_page_credential_is_403_in_the_browser()
    {
        await using var page = await OpenAsync("/", "overview", 1280, 860);

        var status = await page.EvaluateExpressionAsync<int>(
            "fetch('/api/v1/stacks', { method: 'POST', headers: { Authorization: 'Bearer ' + " +
            "document.querySelector('meta[name=\"brokkr-console-credential\"]').content, 'Content-Type': 'application/json' }, " +
            "body: JSON.stringify({ name: 'from-the-console' }) }).then(r => r.status)");

        Assert.Equal(403, status);
        var stacks = await broker.Client().Send("GET", "/stacks").Expect(200);
        Assert.DoesNotContain(stacks.EnumerateArray(), s => s.Str("name") == "from-the-console");
    }

    [Fact]
    public async Task Tenant_scoping_narrows_the_fleet_to_one_generator()
    {
        await using var page = await OpenAsync($"/fleet?pak_id={broker.Shared.G2.Id}", "fleet", 1280, 860);

        var text = await TextAsync(page);
        Assert.DoesNotContain(broker.Shared.A1Name, text);
        Assert.Equal(broker.Shared.G2.Id.ToString(), await page.EvaluateExpressionAsync<string>("document.getElementById('tenant-select').value"));
    }

    private async Task<IPage> OpenAsync(string path, string view, int width, int height)
    {
        var page = await _chromium!.Browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = width, Height = height });
        await page.GoToAsync(new Uri(broker.BaseAddress, path).ToString());
        await Poll.UntilAsync(() => page.EvaluateExpressionAsync<string>("document.body.dataset.loaded || ''"), v => v == view, PageWait,
            () => $"the {view} view loaded; page: " + page.EvaluateExpressionAsync<string>("document.body.innerText").Result);
        return page;
    }

    private static Task<string> TextAsync(IPage page) => page.EvaluateExpressionAsync<string>("document.body.innerText");

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }
    }
}
