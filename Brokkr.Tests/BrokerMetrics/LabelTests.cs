using Brokkr.Broker.Metrics;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Brokkr.Tests.BrokerMetrics;

public sealed class LabelTests
{
    [Theory]
    [InlineData("/api/v1/stacks/{id}/labels", "/api/v1/stacks/:id/labels")]
    [InlineData("/api/v1/agents/{id}/labels/{label}", "/api/v1/agents/:id/labels/:id")]
    [InlineData("/api/v1/agents/{id:guid}/target-state", "/api/v1/agents/:id/target-state")]
    [InlineData("/files/{name}.{ext}", "/files/:id")]
    [InlineData("/api/v1/{**rest}", "/api/v1/:id")]
    [InlineData("/healthz", "/healthz")]
    [InlineData("/", "/")]
    public void Every_parameter_segment_becomes_id(string template, string label) =>
        Assert.Equal(label, EndpointLabel.Normalize(RoutePatternFactory.Parse(template)));

    [Theory]
    [InlineData("GET", "GET")]
    [InlineData("get", "GET")]
    [InlineData("PATCH", "PATCH")]
    [InlineData("PROPFIND", "_OTHER")]
    [InlineData("BREW", "_OTHER")]
    public void Unknown_methods_fold_into_one_value(string method, string label) =>
        Assert.Equal(label, EndpointLabel.Method(method));

    [Fact]
    public void Excluded_paths_are_normalised_like_routes()
    {
        var options = new BrokerMetricsOptions { ExcludedPaths = " readyz , /healthz/,/api/v1/agents/{id}/heartbeat,," };
        Assert.Equal(["/api/v1/agents/:id/heartbeat", "/healthz", "/metrics", "/readyz"],
            options.ExcludedEndpoints("/metrics").Order());
        Assert.Contains("/HEALTHZ", options.ExcludedEndpoints("/metrics"));
    }

    [Fact]
    public void An_excluded_path_that_is_not_a_route_stops_the_broker()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new BrokerMetricsOptions { ExcludedPaths = "/a/{unclosed" }.ExcludedEndpoints("/metrics"));
        Assert.Contains("metrics_excluded_paths", error.Message);
    }

    [Fact]
    public void Unrouted_requests_are_unmatched() => Assert.Equal("unmatched", EndpointLabel.Of(null));
}
