using System.Net;
using Brokkr.Agent.Channel;
using Brokkr.Agent.Configuration;
using Brokkr.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brokkr.Tests.Channel;

/// <summary>
/// A broker that refuses the agent's PAK at every upgrade has revoked it: after
/// <see cref="BrokerChannel.MaxConsecutiveAuthRejections"/> refusals in a row the agent's channel stops trying (as
/// upstream's does) instead of knocking for ever. Runs against a real HTTP server on loopback that answers 401.
/// </summary>
public sealed class ChannelAuthRejectionTests
{
    [Fact]
    public async Task Five_refused_upgrades_in_a_row_end_the_reconnect_loop()
    {
        var attempts = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{LoopbackPort.Free()}");
        await using var refusing = builder.Build();
        refusing.Run(context =>
        {
            Interlocked.Increment(ref attempts);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        });
        await refusing.StartAsync();
        var url = refusing.Urls.Single();
        var settings = AgentSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Brokkr:Agent:broker_url"] = url,
            ["Brokkr:Agent:pak"] = "brokkr_BRrevoked_notAnyLongerValid",
        }).Build());
        var channel = new BrokerChannel(settings, new LoopWakeUp(), NullLogger<BrokerChannel>.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        channel.Start(stop.Token);

        // Backoff 1 + 2 + 4 + 8 s (±20 %) between the five attempts; the loop then returns by itself.
        await channel.Completion.WaitAsync(TimeSpan.FromSeconds(40));
        Assert.True(channel.GaveUp);
        Assert.False(stop.IsCancellationRequested);
        Assert.Equal(BrokerChannel.MaxConsecutiveAuthRejections, Volatile.Read(ref attempts));
        Assert.False(await channel.TrySendAsync(new Wire.HeartbeatMessage(new Wire.WireHeartbeat(Guid.NewGuid(), DateTime.UtcNow)), CancellationToken.None));
    }
}
