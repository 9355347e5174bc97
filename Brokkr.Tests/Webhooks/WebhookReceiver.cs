using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brokkr.Tests.Webhooks;

/// <summary>One webhook request as the receiver saw it.</summary>
public sealed record ReceivedWebhook(string Path, string Body, IReadOnlyDictionary<string, string> Headers, DateTimeOffset At)
{
    public Guid DeliveryId => Guid.Parse(Headers["X-Brokkr-Delivery-Id"]);

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
    public string EventType => Json.GetProperty("event_type").GetString()!;
}

/// <summary>
/// A real HTTP receiver on loopback (Kestrel on 127.0.0.1:0). The first path segment picks its behaviour:
/// <c>/ok/…</c> answers 200, <c>/down/…</c> 503, <c>/gone/…</c> 404, <c>/slow/…</c> holds the request for a minute,
/// <c>/stall-first/…</c> holds the first request to a path for a minute and answers later ones 200.
/// Every request is recorded (with the time it arrived), whatever the answer.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public IEnumerable<ReceivedWebhook> At(string path) => Received.Where(r => r.Path == path);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpContext context, string path) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var first = receiver.At("/" + path).FirstOrDefault() is null;
            receiver.Received.Enqueue(new ReceivedWebhook("/" + path, body,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), DateTimeOffset.UtcNow));
            switch (path.Split('/')[0])
            {
                case "down": return Results.StatusCode(503);
                case "gone": return Results.NotFound();
                case "stall-first" when first:
                case "slow":
                    await Task.Delay(TimeSpan.FromMinutes(1), context.RequestAborted);
                    return Results.Ok();
                default: return Results.Ok();
            }
        });
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    /// <summary>Polls until <paramref name="condition"/> holds (or fails the test after <paramref name="seconds"/>).</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    public static Task Eventually(Func<bool> condition, string what, double seconds = 30) =>
        Eventually(() => Task.FromResult(condition()), what, seconds);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
