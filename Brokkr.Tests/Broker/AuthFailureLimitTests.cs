using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Brokkr.Tests.Broker;

/// <summary>
/// Guessing PAKs is budgeted per client address: past the burst an address gets 429 for keys that would need the
/// database, while verified keys and other addresses carry on.
/// </summary>
public sealed class AuthFailureLimitTests(AuthFailureLimitTests.LimitedBroker broker) : IClassFixture<AuthFailureLimitTests.LimitedBroker>
{
    public sealed class LimitedBroker : LogCapturingBrokerHost
    {
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Brokkr:Broker:auth_failure_burst"] = "5",
            ["Brokkr:Broker:auth_failures_per_minute"] = "1",
        };
    }

    [Fact]
    public async Task An_address_that_keeps_failing_gets_429_while_verified_keys_and_other_addresses_go_on()
    {
        var fleet = new Fleet(broker);
        var agent = await fleet.AgentAsync(); // the admin PAK is verified (and cached) from 127.0.0.1 first
        var guesses = Enumerable.Range(0, 7).Select(_ => $"brokkr_BRguess00_{Guid.NewGuid():N}").ToList();

        for (var i = 0; i < 5; i++)
        {
            await ExpectStatus(broker.Client(guesses[i]), 401);
        }
        using (var limited = await broker.Client(guesses[5]).Send("GET", "/generators"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);
            await Task.FromResult(limited).ExpectError(429, "too_many_auth_failures");
        }

        // Keys verified before keep working from the limited address; a refused key is refused again without a lookup.
        await broker.Client().Send("GET", "/generators").Expect(200);
        await ExpectStatus(broker.Client(guesses[0]), 401);

        // Another address has its own budget: its guesses are 401s, and a key it presents first is looked up.
        using var elsewhere = FromAddress(IPAddress.Parse("127.0.0.2"));
        await ExpectStatus(WithPak(elsewhere, guesses[6]), 401);
        elsewhere.DefaultRequestHeaders.Authorization = null;
        await WithPak(elsewhere, agent.Pak).Send("GET", $"/agents/{agent.Id}").Expect(200);

        var lines = broker.Lines.ToArray();
        Assert.Contains(lines, l => l.Contains("Failed authentication from 127.0.0.1 (unknown PAK)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("5 failed authentications from 127.0.0.1", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => guesses.Any(g => l.Contains(g, StringComparison.Ordinal) || l.Contains(g.Split('_')[2], StringComparison.Ordinal)));
    }

    private static async Task ExpectStatus(HttpClient client, int status)
    {
        using var response = await client.Send("GET", "/generators");
        Assert.Equal(status, (int)response.StatusCode);
    }

    private static HttpClient WithPak(HttpClient client, string pak)
    {
        client.DefaultRequestHeaders.Remove("Authorization");
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + pak);
        return client;
    }

    /// <summary>A client whose connections come from <paramref name="local"/> (any 127.x.y.z is loopback on Linux).</summary>
    private HttpClient FromAddress(IPAddress local) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { BaseAddress = broker.BaseAddress };
}
