using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Channel;

internal static class ChannelAssert
{
    /// <summary>Waits until the broker answering <paramref name="admin"/> lists the agent's channel.</summary>
    public static async Task ListedAsync(HttpClient admin, Guid agentId, bool listed = true)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var connections = (await admin.Send("GET", "/admin/ws/connections").Expect(200)).GetProperty("connections");
            if (connections.EnumerateArray().Any(c => c.Id("agent_id") == agentId) == listed)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"agent {agentId} {(listed ? "never" : "still")} listed");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it has a value (within 15 s).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe) where T : struct
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }
}
