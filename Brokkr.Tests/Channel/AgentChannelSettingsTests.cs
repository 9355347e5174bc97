using Brokkr.Agent.Channel;
using Brokkr.Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Brokkr.Tests.Channel;

public sealed class AgentChannelSettingsTests
{
    [Theory]
    [InlineData("http://broker.example:3000", null, "ws://broker.example:3000/internal/ws/agent")]
    [InlineData("https://brokkr.example/prefix/", null, "wss://brokkr.example/prefix/internal/ws/agent")]
    [InlineData("https://brokkr.example", "wss://ws.brokkr.example/internal/ws/agent", "wss://ws.brokkr.example/internal/ws/agent")]
    public void The_channel_url_follows_broker_url_unless_ws_url_is_set(string brokerUrl, string? wsUrl, string expected)
    {
        var settings = AgentSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Brokkr:Agent:broker_url"] = brokerUrl,
            ["Brokkr:Agent:ws_url"] = wsUrl,
        }).Build());

        Assert.Equal(new Uri(expected), settings.ChannelUrl);
        Assert.False(settings.WsForceRest);
    }

    [Fact]
    public void A_ws_url_that_is_not_ws_or_wss_is_refused() =>
        Assert.Throws<InvalidOperationException>(() => AgentSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Brokkr:Agent:ws_url"] = "http://x/internal/ws/agent" }).Build()));

    [Fact]
    public void Reconnect_waits_double_from_one_second_to_sixty_with_twenty_percent_jitter()
    {
        var random = new Random(7);
        for (var failures = 1; failures <= 12; failures++)
        {
            var nominal = Math.Min(60, Math.Pow(2, failures - 1));
            for (var i = 0; i < 50; i++)
            {
                var wait = ChannelBackoff.Next(failures, random).TotalSeconds;
                Assert.InRange(wait, Math.Max(1, nominal * 0.8), Math.Min(60, nominal * 1.2));
            }
        }
    }
}
