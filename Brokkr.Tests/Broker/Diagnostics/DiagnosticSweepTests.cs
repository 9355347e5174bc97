using Brokkr.Broker.Metrics;
using Brokkr.Broker.Startup;
using Brokkr.Tests.BrokerMetrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Brokkr.Tests.Broker.Diagnostics;

/// <summary>A broker whose own sweep waits an hour, so the test alone decides when sweeps run.</summary>
public sealed class ManualSweepBroker : BrokerHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Brokkr:Broker:diagnostic_cleanup_interval_seconds"] = "3600",
    };
}

/// <summary>Sweeps running at once, as on several replicas: each overdue request gets one terminal status, counted once.</summary>
public sealed class DiagnosticSweepTests(ManualSweepBroker broker) : IClassFixture<ManualSweepBroker>
{
    private readonly DiagnosticClient _diagnostics = new(broker);

    [Fact]
    public async Task Concurrent_sweeps_expire_the_unclaimed_and_fail_the_claimed_each_once()
    {
        var (agent, deploymentObject) = await _diagnostics.TargetedObjectAsync();
        var requests = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            requests.Add(await _diagnostics.RequestAsync(agent, deploymentObject));
        }
        foreach (var id in requests.Take(4))
        {
            await _diagnostics.Claim(agent, id).Expect(200);
        }
        var live = await _diagnostics.RequestAsync(agent, deploymentObject);
        foreach (var id in requests)
        {
            await _diagnostics.ExpireAsync(id);
        }
        using var meter = new MeterReader(broker.Services.GetRequiredService<BrokerMeter>().Meter);
        var sweep = broker.Services.GetServices<IHostedService>().OfType<DiagnosticMaintenance>().Single();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => sweep.RunOnceAsync(CancellationToken.None))));

        var statuses = new List<string>();
        foreach (var id in requests)
        {
            statuses.Add((await _diagnostics.GetAsync(id)).GetProperty("request").Str("status"));
        }
        Assert.Equal([.. Enumerable.Repeat("failed", 4), .. Enumerable.Repeat("expired", 6)], statuses);
        Assert.Equal((6, 4), (meter.Sum("brokkr_diagnostic_requests_finished_total", ("outcome", "expired")),
            meter.Sum("brokkr_diagnostic_requests_finished_total", ("outcome", "failed"))));
        // A request within its deadline is untouched.
        Assert.Equal("pending", (await _diagnostics.GetAsync(live)).GetProperty("request").Str("status"));
        Assert.Contains(live, await _diagnostics.PendingAsync(agent));
    }
}
