using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Brokkr.Tests.ServiceDefaults;

/// <summary>
/// The server span's semantic-convention tags, read from ASP.NET Core's activities as they stop. The listener here
/// samples nothing itself (the host's TracerProvider decides), so it cannot change what other tests see.
/// </summary>
public sealed class ServerSpanTests : IAsyncLifetime
{
    private const string Secret = "brokkr_ServerSp_anTestSecretNeverInATagValue0000";
    private readonly ConcurrentQueue<Activity> stopped = new();
    private readonly string marker = Guid.NewGuid().ToString("N")[..8];
    private ActivityListener? listener;
    private ServiceDefaultsHost? host;

    private ServiceDefaultsHost Host => host!;

    public async Task InitializeAsync()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        host = await ServiceDefaultsHost.StartAsync(mapEndpoints: app =>
        {
            app.MapGet($"/items-{marker}/{{id}}", (int id) => Results.Ok(id));
            app.MapMethods($"/brew-{marker}", ["BREW"], () => Results.Ok("coffee"));
            app.MapGet($"/fail-{marker}", string () => throw new InvalidOperationException("handler failed"));
        });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        listener?.Dispose();
    }

    [Fact]
    public async Task Query_values_are_redacted_the_user_agent_recorded_and_not_the_authorization_header()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/items-{marker}/7?mode=full&since=3");
        request.Headers.TryAddWithoutValidation("User-Agent", "brokkr-agent/1.2 (test)");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Secret);
        Assert.Equal(HttpStatusCode.OK, (await Host.Client.SendAsync(request)).StatusCode);

        var span = await SpanAsync($"/items-{marker}/{{id}}");

        // The instrumentation's default: query keys are kept, values redacted, as they may carry tokens.
        Assert.Equal("?mode=Redacted&since=Redacted", span.GetTagItem("url.query"));
        Assert.Equal("brokkr-agent/1.2 (test)", span.GetTagItem("user_agent.original"));
        Assert.Null(span.GetTagItem("http.request.method_original"));
        Assert.DoesNotContain(span.TagObjects, tag => tag.Value?.ToString()?.Contains(Secret[^20..], StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_path_without_query_has_no_url_query_tag()
    {
        Assert.Equal(HttpStatusCode.OK, (await Host.Client.GetAsync($"/items-{marker}/8")).StatusCode);

        var span = await SpanAsync($"/items-{marker}/{{id}}");

        Assert.Null(span.GetTagItem("url.query"));
    }

    [Fact]
    public async Task An_unknown_method_is_normalised_and_keeps_its_original()
    {
        Assert.Equal(HttpStatusCode.OK, (await Host.Client.SendAsync(new HttpRequestMessage(new HttpMethod("BREW"), $"/brew-{marker}"))).StatusCode);

        var span = await SpanAsync($"/brew-{marker}");

        Assert.Equal("_OTHER", span.GetTagItem("http.request.method"));
        Assert.Equal("BREW", span.GetTagItem("http.request.method_original"));
    }

    [Fact]
    public async Task An_unhandled_exception_keeps_its_type_as_error_type()
    {
        Assert.Equal(HttpStatusCode.InternalServerError, (await Host.Client.GetAsync($"/fail-{marker}")).StatusCode);

        var span = await SpanAsync($"/fail-{marker}");

        Assert.Equal("System.InvalidOperationException", span.GetTagItem("error.type"));
        Assert.Equal(500, span.GetTagItem("http.response.status_code"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }

    /// <summary>The activity stops after the response is sent, so it is polled for.</summary>
    private async Task<Activity> SpanAsync(string route)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var span = stopped.FirstOrDefault(a => route.Equals(a.GetTagItem("http.route")));
            if (span is not null)
            {
                return span;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no server span for {route} within 20 s");
            await Task.Delay(20);
        }
    }
}
