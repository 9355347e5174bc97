using System.Net;

namespace Brokkr.Tests.Broker;

/// <summary>CORS on /api/v1 (spec §8.2), configured the way the environment delivers it: comma-separated lists.</summary>
public sealed class CorsTests(CorsTests.ConsoleBroker broker) : IClassFixture<CorsTests.ConsoleBroker>
{
    public sealed class ConsoleBroker : BrokerHost
    {
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Brokkr:Cors:allowed_origins"] = "https://console.example, http://localhost:3001",
            ["Brokkr:Cors:max_age_seconds"] = "600",
        };
    }

    [Theory]
    [InlineData("https://console.example")]
    [InlineData("http://localhost:3001")]
    public async Task A_listed_origin_passes_the_preflight_without_a_PAK(string origin)
    {
        using var response = await Preflight(origin);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(origin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Equal("600", Assert.Single(response.Headers.GetValues("Access-Control-Max-Age")));
        Assert.Contains("PUT", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")));
    }

    [Fact]
    public async Task Another_origin_gets_no_CORS_grant()
    {
        using var preflight = await Preflight("https://evil.example");
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/pak");
        request.Headers.Add("Origin", "https://evil.example");
        using var response = await broker.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task An_actual_request_from_a_listed_origin_is_granted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/pak");
        request.Headers.Add("Origin", "https://console.example");
        using var response = await broker.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://console.example", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    private Task<HttpResponseMessage> Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/generators");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "PUT");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return broker.Client(null).SendAsync(request);
    }
}
