namespace Brokkr.Agent.Channel;

/// <summary>Reconnect waits as upstream's agent: doubling from 1 s to 60 s, each ±20 % so a fleet does not return in step.</summary>
public static class ChannelBackoff
{
    public static readonly TimeSpan Min = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(60);

    /// <param name="failures">Consecutive failed or lost connections, at least 1.</param>
    public static TimeSpan Next(int failures, Random random)
    {
        var seconds = Math.Min(Max.TotalSeconds, Min.TotalSeconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30)));
        var jittered = seconds * (0.8 + 0.4 * random.NextDouble());
        return TimeSpan.FromSeconds(Math.Clamp(jittered, Min.TotalSeconds, Max.TotalSeconds));
    }
}
