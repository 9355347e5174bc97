using Brokkr.ServiceDefaults.Configuration;
using Brokkr.ServiceDefaults.Metrics;
using Microsoft.Extensions.Configuration;

namespace Brokkr.Tests.ServiceDefaults;

/// <summary>The list settings (global labels, buckets) in each shape: TOML lists and tables, comma-separated strings.</summary>
public sealed class MetricsConfigurationTests : IDisposable
{
    private readonly string file = Path.Combine(Path.GetTempPath(), $"brokkr-{Guid.NewGuid():N}.toml");

    public void Dispose() => File.Delete(file);

    private MetricsSettings FromToml(string toml, IDictionary<string, string?>? environment = null)
    {
        File.WriteAllText(file, toml);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment ?? new Dictionary<string, string?>())
            .AddBrokkrConfigFile(file)
            .Build();
        return MetricsSettings.From(configuration.GetSection(MetricsOptions.SectionName));
    }

    [Fact]
    public void Toml_lists_give_global_labels_and_buckets()
    {
        var settings = FromToml("""
            [metrics]
            global_labels = ["region=eu-west-1", "team=a,b"]
            buckets.brokkr_http_request_duration_seconds = [0.1, 0.5, 2]
            """);

        Assert.Equal([new("region", "eu-west-1"), new("team", "a,b")], settings.GlobalLabels);
        Assert.Equal([0.1, 0.5, 2], settings.Buckets["brokkr_http_request_duration_seconds"]);
    }

    [Fact]
    public void A_toml_table_gives_global_labels()
    {
        var settings = FromToml("""
            [metrics.global_labels]
            env = "prod"
            cluster = "eu-1"

            [metrics.buckets]
            brokkr_http_request_size_bytes = [100, 1e4]
            """);

        Assert.Equal([new("cluster", "eu-1"), new("env", "prod")], settings.GlobalLabels);
        Assert.Equal([100, 10_000], settings.Buckets["brokkr_http_request_size_bytes"]);
    }

    [Fact]
    public void Comma_separated_strings_still_work_in_the_file_and_the_environment_wins()
    {
        var fromFile = FromToml("""
            [metrics]
            global_labels = "env=prod,region=eu"
            buckets.brokkr_x_seconds = "1, 5"
            """);
        var overridden = FromToml("""
            [metrics]
            global_labels = ["env=prod"]
            """, new Dictionary<string, string?> { ["BROKKR:METRICS:GLOBAL_LABELS"] = "env=staging" });

        Assert.Equal([new("env", "prod"), new("region", "eu")], fromFile.GlobalLabels);
        Assert.Equal([1, 5], fromFile.Buckets["brokkr_x_seconds"]);
        Assert.Equal([new("env", "staging")], overridden.GlobalLabels);
    }

    [Fact]
    public void Invalid_list_items_are_reported_with_their_setting()
    {
        var badBounds = Assert.Throws<InvalidOperationException>(() => FromToml("""
            [metrics]
            buckets.brokkr_x_seconds = [1, 0.5]
            """));
        var nested = Assert.Throws<InvalidOperationException>(() => FromToml("""
            [metrics.global_labels.env]
            name = "prod"
            """));

        Assert.Equal("Brokkr:Metrics:buckets:brokkr_x_seconds: '1, 0.5' must be finite numbers in strictly increasing order.", badBounds.Message);
        Assert.Equal("Brokkr:Metrics:global_labels: 'env' must be a single value, not a list or table.", nested.Message);
    }
}
