using System.Diagnostics;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.BrokerMetrics;

/// <summary>A broker with per-agent heartbeat series turned off, as for a very large fleet.</summary>
public sealed class LargeFleetBroker : BrokerProcess
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["BROKKR__BROKER__METRICS_PER_AGENT_SERIES"] = "false",
    };
}

/// <summary>Series counts stay bounded whatever clients send.</summary>
public sealed class CardinalityTests(LargeFleetBroker broker) : IClassFixture<LargeFleetBroker>
{
    private static readonly string[] HttpFamilies =
        ["brokkr_http_requests_total", "brokkr_http_request_duration_seconds_count", "brokkr_http_request_size_bytes_count",
         "brokkr_http_response_size_bytes_count"];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "BREW"];

    [Fact]
    public async Task A_thousand_random_unknown_paths_leave_the_endpoint_label_values_unchanged()
    {
        var admin = broker.Client();
        await admin.Send("GET", "/agents").Expect(200);
        await admin.Send("GET", "/no-such-route").Expect(404);
        var before = await broker.ScrapeAsync();
        var endpoints = EndpointValues(before);
        Assert.Contains("unmatched", endpoints);
        Assert.Contains("/api/v1/agents", endpoints);

        var anonymous = broker.Client(null);
        await Parallel.ForAsync(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var segments = Enumerable.Range(0, 1 + i % 4).Select(_ => Guid.NewGuid().ToString("N")[..(4 + i % 9)]);
            var path = (i % 2 == 0 ? "/api/v1/zz-" : "/zz-") + string.Join('/', segments);
            using var request = new HttpRequestMessage(new HttpMethod(Methods[i % Methods.Length]), path);
            using var response = await (i % 3 == 0 ? anonymous : admin).SendAsync(request);
            Assert.True((int)response.StatusCode is 401 or 404 or 405, $"{request.Method} {path}: {(int)response.StatusCode}");
        });

        var after = await broker.ScrapeAsync();
        Assert.Equal(endpoints.Order(), EndpointValues(after).Order());
        Assert.Equal(1000 + before.Sum("brokkr_http_requests_total", ("endpoint", "unmatched")),
            after.Sum("brokkr_http_requests_total", ("endpoint", "unmatched")));
        // Unknown methods are folded into one value, so they cannot add series either.
        Assert.Subset(new HashSet<string>(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "_OTHER"]),
            after.LabelValues("brokkr_http_requests_total", "method").ToHashSet());
    }

    [Fact]
    public async Task Per_agent_heartbeat_series_can_be_turned_off()
    {
        var fleet = new Fleet(broker);
        var agent = await fleet.AgentAsync();
        await broker.Client(agent.Pak).Send("POST", $"/agents/{agent.Id}/heartbeat").Expect(204);

        var deadline = Stopwatch.StartNew();
        string text;
        while (new Scrape(text = await broker.ScrapeTextAsync()).Value("brokkr_active_agents") == 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "the agent never became active");
            await Task.Delay(100);
        }
        Assert.Equal(1, new Scrape(text).Value("brokkr_active_agents"));
        Assert.DoesNotContain("brokkr_agent_heartbeat_age_seconds", text);
    }

    private static HashSet<string> EndpointValues(Scrape scrape) =>
        HttpFamilies.SelectMany(f => scrape.LabelValues(f, "endpoint")).ToHashSet();
}
