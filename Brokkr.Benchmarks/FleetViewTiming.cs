using System.Diagnostics;
using System.Net.Http.Headers;

namespace Brokkr.Benchmarks;

/// <summary>Issue 21's measure: the admin's fleet view of every agent, one request at a time, after one untimed request.</summary>
public static class FleetViewTiming
{
    public sealed record Result(int Agents, int Requests, double MedianMs, double P95Ms, double WorstMs, long Bytes)
    {
        public override string ToString() =>
            $"GET /fleet ({Agents} agents, {Bytes / 1024.0 / 1024:F1} MiB): median {MedianMs:F0} ms, p95 {P95Ms:F0} ms, " +
            $"slowest of {Requests} {WorstMs:F0} ms";
    }

    public static async Task<Result> MeasureAsync(HttpClient client, int agents, int requests)
    {
        var latencies = new List<double>();
        long bytes = 0;
        for (var i = 0; i <= requests; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/fleet");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FleetSeeder.DevAdminPak);
            var started = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var body = await response.Content.ReadAsByteArrayAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            response.EnsureSuccessStatusCode();
            if (i > 0) // the first plans the statement and fills the caches
            {
                latencies.Add(elapsed);
                bytes = body.Length;
            }
        }
        latencies.Sort();
        return new Result(agents, latencies.Count, latencies[latencies.Count / 2],
            latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(latencies.Count * 0.95) - 1)], latencies[^1], bytes);
    }
}
