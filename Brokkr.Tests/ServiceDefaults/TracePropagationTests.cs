using Brokkr.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace Brokkr.Tests.ServiceDefaults;

/// <summary>
/// An "agent" service calls a "broker" service over HttpClient; the broker queries PostgreSQL. Both export spans to
/// one OTLP receiver; the four spans must form one trace: agent server → HttpClient → broker server → Npgsql.
/// </summary>
public sealed class TracePropagationTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task W3C_trace_context_flows_from_agent_to_broker_to_database()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRICS_EXPORTER"] = "none",
        };
        var marker = Guid.NewGuid().ToString("N")[..8];
        var brokerRoute = $"/stacks-{marker}/{{id}}";
        var agentRoute = $"/poll-{marker}";
        string? receivedTraceparent = null;

        await using var broker = await ServiceDefaultsHost.StartAsync(settings, mapEndpoints: app => app.MapGet(brokerRoute,
            async (int id, HttpContext context) =>
            {
                receivedTraceparent = context.Request.Headers.TraceParent;
                await using var connection = new NpgsqlConnection(database.ConnectionString);
                await connection.OpenAsync();
                await using var query = new NpgsqlCommand($"SELECT {id} /* {marker} */", connection);
                return Results.Ok(await query.ExecuteScalarAsync());
            }));
        await using var agent = await ServiceDefaultsHost.StartAsync(settings, mapEndpoints: app => app.MapGet(agentRoute,
            async () => await broker.Client.GetStringAsync(brokerRoute.Replace("{id}", "42", StringComparison.Ordinal))));

        Assert.Equal("42", await agent.Client.GetStringAsync(agentRoute));

        OtlpReceiver.Span? agentSpan = null, clientSpan = null, brokerSpan = null, databaseSpan = null;
        await receiver.WaitUntilAsync(r =>
        {
            var spans = r.Spans.ToList();
            agentSpan = spans.FirstOrDefault(s => s.Name == "GET " + agentRoute);
            brokerSpan = spans.FirstOrDefault(s => s.Name == "GET " + brokerRoute);
            clientSpan = spans.FirstOrDefault(s => s.SpanId == brokerSpan?.ParentSpanId);
            databaseSpan = spans.FirstOrDefault(s => s.ParentSpanId == brokerSpan?.SpanId && s.Kind == 3);
            return agentSpan is not null && clientSpan is not null && databaseSpan is not null;
        }, "the agent, client, broker and database spans");

        Assert.Matches($"^00-{agentSpan!.TraceId}-{clientSpan!.SpanId}-0[13]$", receivedTraceparent);
        Assert.All(new[] { clientSpan, brokerSpan!, databaseSpan! }, s => Assert.Equal(agentSpan.TraceId, s.TraceId));
        Assert.Equal(agentSpan.SpanId, clientSpan.ParentSpanId);
        Assert.Equal(3, clientSpan.Kind); // SPAN_KIND_CLIENT
        Assert.Equal("GET", clientSpan.Attributes["http.request.method"]);
        Assert.Contains(marker, databaseSpan!.Attributes.GetValueOrDefault("db.query.text") ?? databaseSpan.Attributes.GetValueOrDefault("db.statement") ?? "");
    }
}
