using System.Text.Json;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Broker.Replicas;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Tests.Webhooks;

/// <summary>
/// A broker process killed with SIGKILL (no shutdown code runs) and started again on the same database: a delivery
/// committed with its change is sent after the restart — exactly once when the kill came before the send, and again
/// with the same delivery id when the kill came while the POST was in flight (at least once).
/// </summary>
public sealed class WebhookCrashRecoveryTests : IAsyncLifetime
{
    private readonly PostgresDatabaseFixture _database = new();
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_delivery_committed_before_the_kill_is_sent_exactly_once_after_the_restart()
    {
        var path = $"/ok/crash-{Guid.NewGuid():N}";
        // The worker's first tick ran at startup, on an empty queue; the next is an hour away.
        var subscription = await KilledAfterAStackIsCreatedAsync(intervalSeconds: 3600, path, timeoutSeconds: 5, async (doomed, id) =>
        {
            var queued = Assert.Single((await Deliveries(doomed, id)).EnumerateArray());
            Assert.Equal("pending", queued.Str("status"));
        });
        Assert.Empty(_receiver.At(path));

        await using var restarted = await StartBrokerAsync(intervalSeconds: 0.1);
        await WebhookReceiver.Eventually(async () => (await Deliveries(restarted, subscription, "success")).GetArrayLength() == 1,
            "the delivery after the restart");
        var delivered = Assert.Single((await Deliveries(restarted, subscription)).EnumerateArray());
        Assert.Equal(1, delivered.GetProperty("attempts").GetInt32());
        var received = Assert.Single(_receiver.At(path));
        Assert.Equal("stack.created", received.EventType);
        Assert.Equal(delivered.Id(), received.DeliveryId);
    }

    [Fact]
    public async Task A_delivery_in_flight_at_the_kill_is_sent_again_after_its_claim_expires_with_the_same_delivery_id()
    {
        var path = $"/stall-first/crash-{Guid.NewGuid():N}";
        var subscription = await KilledAfterAStackIsCreatedAsync(intervalSeconds: 0.1, path, timeoutSeconds: 10,
            (_, _) => WebhookReceiver.Eventually(() => _receiver.At(path).Any(), "the first POST, held by the receiver"));

        // The claim (timeout 10 s + margin 5 s) outlives the broker that held it; only then is the delivery open again.
        await using var restarted = await StartBrokerAsync(intervalSeconds: 0.1);
        await WebhookReceiver.Eventually(async () => (await Deliveries(restarted, subscription, "success")).GetArrayLength() == 1,
            "the delivery once the dead broker's claim expired", seconds: 90);
        var delivered = Assert.Single((await Deliveries(restarted, subscription)).EnumerateArray());
        Assert.Equal(1, delivered.GetProperty("attempts").GetInt32()); // the killed attempt was never recorded
        var received = _receiver.At(path).ToList();
        Assert.Equal(2, received.Count);
        Assert.All(received, r => Assert.Equal(delivered.Id(), r.DeliveryId));
        Assert.Equal(received[0].Body, received[1].Body);
        Assert.True(received[1].At - received[0].At >= TimeSpan.FromSeconds(10), "the delivery was claimed again before its claim expired");
    }

    /// <summary>
    /// A broker subscribes <paramref name="path"/> to stack.created, a stack is created (committed: the API answered),
    /// <paramref name="beforeTheKill"/> runs, and the broker is killed with SIGKILL. Returns the subscription.
    /// </summary>
    private async Task<Guid> KilledAfterAStackIsCreatedAsync(double intervalSeconds, string path, int timeoutSeconds,
        Func<BrokerReplica, Guid, Task> beforeTheKill)
    {
        await using var doomed = await StartBrokerAsync(intervalSeconds);
        var subscription = await SubscribeAsync(doomed, path, timeoutSeconds);
        var fleet = new Fleet(doomed);
        await fleet.StackAsync(await fleet.GeneratorAsync());
        await beforeTheKill(doomed, subscription);
        await doomed.Service.KillAsync();
        return subscription;
    }

    private async Task<BrokerReplica> StartBrokerAsync(double intervalSeconds) => await BrokerReplica.StartAsync(_database.ConnectionString,
        new Dictionary<string, string?>
        {
            ["BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY"] = WebhookBroker.Key,
            ["BROKKR__BROKER__WEBHOOK_DELIVERY_INTERVAL_SECONDS"] = intervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["BROKKR__BROKER__WEBHOOK_CLAIM_MARGIN_SECONDS"] = "5",
        });

    private async Task<Guid> SubscribeAsync(BrokerReplica broker, string path, int timeoutSeconds) =>
        (await broker.Client().Send("POST", "/webhooks", new
        {
            name = Fleet.Unique("crash"), url = _receiver.Url(path), event_types = new[] { "stack.created" }, timeout_seconds = timeoutSeconds,
        }).Expect(201)).Id();

    private static async Task<JsonElement> Deliveries(BrokerReplica broker, Guid subscription, string? status = null) =>
        await broker.Client().Send("GET", $"/webhooks/{subscription}/deliveries" + (status is null ? "" : $"?status={status}")).Expect(200);
}
