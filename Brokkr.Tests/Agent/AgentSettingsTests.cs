using Brokkr.Agent.Configuration;
using Microsoft.Extensions.Configuration;

namespace Brokkr.Tests.Agent;

/// <summary>
/// Configuration binding with the keys as the environment-variable provider delivers them
/// (BROKKR__AGENT__BROKER_URL → "BROKKR:AGENT:BROKER_URL", services__broker__http__0 → "services:broker:http:0").
/// AgentProcessTests sets real environment variables on a real agent process.
/// </summary>
public sealed class AgentSettingsTests
{
    private static AgentSettings Bind(params (string Key, string Value)[] values) =>
        AgentSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());

    [Fact]
    public void Upstream_keys_bind_case_insensitively()
    {
        var generator = Guid.NewGuid();
        var settings = Bind(
            ("BROKKR:AGENT:BROKER_URL", "http://broker.example:3000"),
            ("BROKKR:AGENT:PAK", "brokkr_BRabcdef_secret"),
            ("BROKKR:AGENT:AGENT_NAME", "edge-1"),
            ("BROKKR:AGENT:CLUSTER_NAME", "eu-1"),
            ("BROKKR:AGENT:POLLING_INTERVAL", "30"),
            ("BROKKR:AGENT:HEALTH_PORT", "9090"),
            ("BROKKR:AGENT:KUBECONFIG_PATH", "/etc/kube/config"),
            ("BROKKR:AGENT:GENERATOR_IDS", $" {generator}, not-a-uuid ,{generator}"),
            ("BROKKR:AGENT:MAX_RETRIES", "5"));

        Assert.Equal(new Uri("http://broker.example:3000/"), settings.BrokerUrl);
        Assert.Equal("brokkr_BRabcdef_secret", settings.Pak);
        Assert.False(settings.UsesDevelopmentPak);
        Assert.Equal(("edge-1", "eu-1"), (settings.AgentName, settings.ClusterName));
        Assert.Equal(TimeSpan.FromSeconds(30), settings.PollingInterval);
        Assert.Equal(9090, settings.HealthPort);
        Assert.Equal(["/etc/kube/config"], settings.KubeconfigPaths);
        Assert.Equal([generator], settings.GeneratorIds);
        Assert.Equal(["not-a-uuid"], settings.MalformedGeneratorIds);
        Assert.Equal(5, settings.MaxRetries);
        // Never shorter than the polling interval, so backing off never polls faster than normal.
        Assert.Equal(TimeSpan.FromSeconds(60), settings.MaxBackoff);
    }

    [Fact]
    public void Defaults_follow_the_spec()
    {
        var settings = Bind();

        Assert.Equal(new Uri("http://localhost:3000/"), settings.BrokerUrl);
        Assert.True(settings.UsesDevelopmentPak);
        Assert.Equal(("DEFAULT", "DEFAULT"), (settings.AgentName, settings.ClusterName));
        Assert.Equal(TimeSpan.FromSeconds(10), settings.PollingInterval);
        Assert.Equal(8080, settings.HealthPort);
        Assert.Equal(60, settings.MaxRetries);
        Assert.Empty(settings.GeneratorIds);
        Assert.EndsWith(Path.Combine(".kube", "config"), Assert.Single(settings.KubeconfigPaths));
    }

    [Fact]
    public void Aspire_service_discovery_supplies_the_broker_url_only_when_BROKER_URL_is_unset()
    {
        // Service discovery resolves the broker's name from services:broker:http:* at each request.
        Assert.Equal(new Uri(AgentSettings.DiscoveredBrokerUrl),
            Bind(("services:broker:http:0", "http://127.0.0.1:41234")).BrokerUrl);
        Assert.Equal(new Uri("http://explicit:3000/"),
            Bind(("services:broker:http:0", "http://127.0.0.1:41234"), ("Brokkr:Agent:broker_url", "http://explicit:3000")).BrokerUrl);
    }

    [Fact]
    public void KUBECONFIG_is_used_when_kubeconfig_path_is_unset_and_both_are_path_lists_kept_in_order()
    {
        var separator = Path.PathSeparator;
        Assert.Equal(["/a/config", "/b/config"], Bind(("KUBECONFIG", $"/a/config{separator}/b/config{separator}")).KubeconfigPaths);
        Assert.Equal(["/explicit"], Bind(("KUBECONFIG", "/a/config"), ("Brokkr:Agent:kubeconfig_path", "/explicit")).KubeconfigPaths);
        Assert.Equal(["/x", "/y"], Bind(("Brokkr:Agent:kubeconfig_path", $"/x{separator}/y")).KubeconfigPaths);
    }

    [Fact]
    public void The_deprecated_BROKKR_GENERATOR_IDS_applies_only_without_the_key()
    {
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        Assert.Equal([a], Bind(("BROKKR_GENERATOR_IDS", a.ToString())).GeneratorIds);
        Assert.Equal([b], Bind(("BROKKR_GENERATOR_IDS", a.ToString()), ("Brokkr:Agent:generator_ids", b.ToString())).GeneratorIds);
    }

    [Theory]
    [InlineData("polling_interval", "0", "polling_interval")]
    [InlineData("polling_interval", "ten", "polling_interval")]
    [InlineData("broker_url", "broker:3000", "broker_url")]
    [InlineData("health_port", "70000", "health_port")]
    [InlineData("max_retries", "0", "max_retries")]
    public void Invalid_values_stop_the_agent_with_a_message_naming_the_key(string key, string value, string named)
    {
        var error = Assert.ThrowsAny<InvalidOperationException>(() => Bind(($"Brokkr:Agent:{key}", value)));
        Assert.Contains(named, error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
