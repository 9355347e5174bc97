using Brokkr.Broker.Metrics;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Brokkr.Tests.BrokerMetrics;

public sealed class LabelTests
{
    [Theory]
    [InlineData("SELECT a.id FROM agents a", "select")]
    [InlineData("  \n(select 1)", "select")]
    [InlineData("-- EF comment\nINSERT INTO stacks (id) VALUES (@p0) RETURNING sequence_id", "insert")]
    [InlineData("/* tag */ UPDATE agents SET last_heartbeat = @p", "update")]
    [InlineData("DELETE FROM agent_labels WHERE id = @p", "delete")]
    [InlineData("WITH x AS (SELECT 1) SELECT * FROM x", "select")]
    [InlineData("WITH gone AS (DELETE FROM agent_targets RETURNING *) SELECT count(*) FROM gone", "delete")]
    [InlineData("WITH t AS (SELECT updated_at FROM stacks) SELECT * FROM t", "select")]
    [InlineData("LOCK TABLE app_initialization IN EXCLUSIVE MODE", "other")]
    [InlineData("CREATE TABLE x (id int)", "other")]
    [InlineData("", "other")]
    public void The_operation_is_the_leading_sql_verb(string sql, string operation) =>
        Assert.Equal(operation, SqlOperation.Of(sql));

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
    public void Unrouted_requests_are_unmatched() => Assert.Equal("unmatched", EndpointLabel.Of(null));
}
