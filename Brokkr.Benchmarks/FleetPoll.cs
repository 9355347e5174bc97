using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Brokkr.Benchmarks;

/// <summary>How an agent asks for its target state: always the whole answer, or with If-None-Match (docs/api.md).</summary>
public enum Polling
{
    Full,
    Conditional,
}

/// <summary>The latencies of one round's requests, collected from many concurrent polls.</summary>
public sealed class PollSamples
{
    private readonly ConcurrentQueue<double> _all = new();
    private readonly ConcurrentQueue<double> _targetState = new();
    private long _failures, _notModified, _polls;

    public long Failures => Interlocked.Read(ref _failures);

    public long NotModified => Interlocked.Read(ref _notModified);

    public long Polls => Interlocked.Read(ref _polls);

    public int Requests => _all.Count;

    public double Percentile(double p) => Percentile(_all, p);

    public double TargetStatePercentile(double p) => Percentile(_targetState, p);

    internal void Add(double ms, bool targetState)
    {
        _all.Enqueue(ms);
        if (targetState)
        {
            _targetState.Enqueue(ms);
        }
    }

    internal void Failed() => Interlocked.Increment(ref _failures);

    internal void Unchanged() => Interlocked.Increment(ref _notModified);

    internal void Polled() => Interlocked.Increment(ref _polls);

    private static double Percentile(IEnumerable<double> samples, double p)
    {
        var sorted = samples.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}

/// <summary>
/// One agent's poll, as our agent makes it: a heartbeat, then its full target state (conditional or not), and every
/// 20th poll an event. <paramref name="dueTimestamp"/> is when the poll was scheduled: the heartbeat's latency counts
/// from then, so a client that falls behind its schedule shows up as latency rather than as fewer requests.
/// </summary>
public static class FleetPoll
{
    public static async Task RunAsync(HttpClient http, FleetAgent agent, Polling polling, long sequence, PollSamples samples, long dueTimestamp)
    {
        await SendAsync(http, agent, HttpMethod.Post, $"/api/v1/agents/{agent.Id}/heartbeat", "{}", samples, dueTimestamp, targetState: false);
        await SendAsync(http, agent, HttpMethod.Get, $"/api/v1/agents/{agent.Id}/target-state?mode=full", null, samples,
            Stopwatch.GetTimestamp(), targetState: true, polling);
        samples.Polled();
        if (sequence % 20 == 0)
        {
            await SendAsync(http, agent, HttpMethod.Post, $"/api/v1/agents/{agent.Id}/events",
                JsonSerializer.Serialize(new { agent_id = agent.Id, deployment_object_id = agent.ObjectId, event_type = "DEPLOY", status = "SUCCESS" }),
                samples, Stopwatch.GetTimestamp(), targetState: false);
        }
    }

    private static async Task SendAsync(HttpClient http, FleetAgent agent, HttpMethod method, string path, string? json,
        PollSamples samples, long started, bool targetState, Polling polling = Polling.Full)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", agent.Pak);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        if (polling == Polling.Conditional && agent.ETag is { } tag)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", tag);
        }
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode == HttpStatusCode.NotModified)
            {
                samples.Unchanged();
            }
            else if (!response.IsSuccessStatusCode)
            {
                samples.Failed();
                return;
            }
            else if (targetState)
            {
                agent.ETag = response.Headers.ETag?.ToString();
            }
            samples.Add(ms, targetState);
        }
        catch (HttpRequestException)
        {
            samples.Failed();
        }
    }
}
