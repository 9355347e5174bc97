using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Cli;

/// <summary>Polls the running broker until a PAK is accepted or refused (a rotation reaches its cache by NOTIFY).</summary>
public static class Eventually
{
    public static Task Authorized(BrokerHost broker, string pak) => Until(broker, pak, 200);

    public static Task Unauthorized(BrokerHost broker, string pak) => Until(broker, pak, 401);

    private static async Task Until(BrokerHost broker, string pak, int status)
    {
        using var client = new HttpClient { BaseAddress = broker.BaseAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + pak);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var response = await client.PostAsync("/api/v1/auth/pak", null);
            if ((int)response.StatusCode == status)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"POST /auth/pak still answers {(int)response.StatusCode}, not {status}");
            await Task.Delay(200);
        }
    }
}
