using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Api;

namespace Brokkr.KubernetesStandIn.Faults;

/// <summary>
/// Test-controlled failures: the next N matching requests answer an error Status (500 InternalError by default,
/// 429 with Retry-After, 503 ServiceUnavailable…), hang for a while, or wait until the test releases them, before
/// being served. A rule may be limited to one method, a path prefix (e.g. one API group during discovery) and/or a
/// text the query must contain (e.g. <c>labelSelector=</c> for lists).
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _lock = new();
    private readonly List<FaultRule> _rules = [];

    /// <summary>How many requests were answered with an injected fault so far.</summary>
    public int InjectedCount { get; private set; }

    public void FailNext(int count, int statusCode = 500, string? method = null, string? pathPrefix = null,
        string? queryContains = null) =>
        Add(new FaultRule(count, statusCode, TimeSpan.Zero, method, pathPrefix, queryContains));

    public void HangNext(int count, TimeSpan duration, string? method = null, string? pathPrefix = null) =>
        Add(new FaultRule(count, 0, duration, method, pathPrefix, null));

    /// <summary>Fail every matching request until <see cref="Clear"/>.</summary>
    public void FailAll(int statusCode = 500, string? method = null, string? pathPrefix = null, string? queryContains = null) =>
        FailNext(int.MaxValue, statusCode, method, pathPrefix, queryContains);

    /// <summary>Holds the next matching request until <see cref="FaultPause.Release"/>, then serves it normally.</summary>
    public FaultPause PauseNext(string? method = null, string? pathPrefix = null)
    {
        var pause = new FaultPause();
        Add(new FaultRule(1, 0, TimeSpan.Zero, method, pathPrefix, null) { Pause = pause });
        return pause;
    }

    public void HangAll(TimeSpan duration, string? method = null, string? pathPrefix = null) =>
        HangNext(int.MaxValue, duration, method, pathPrefix);

    public void Clear()
    {
        lock (_lock)
        {
            _rules.Clear();
        }
    }

    internal FaultRule? Take(string method, string path, string query)
    {
        lock (_lock)
        {
            var rule = _rules.FirstOrDefault(r => r.Matches(method, path, query));
            if (rule is null)
            {
                return null;
            }

            rule.Remaining--;
            if (rule.Remaining <= 0)
            {
                _rules.Remove(rule);
            }

            InjectedCount++;
            return rule;
        }
    }

    private void Add(FaultRule rule)
    {
        lock (_lock)
        {
            _rules.Add(rule);
        }
    }

    internal sealed class FaultRule(int count, int statusCode, TimeSpan hang, string? method, string? pathPrefix,
        string? queryContains)
    {
        public int Remaining { get; set; } = count;
        public int StatusCode { get; } = statusCode;
        public TimeSpan Hang { get; } = hang;
        public FaultPause? Pause { get; init; }

        public bool Matches(string requestMethod, string path, string query) =>
            (method is null || string.Equals(method, requestMethod, StringComparison.OrdinalIgnoreCase))
            && (pathPrefix is null || path.StartsWith(pathPrefix, StringComparison.Ordinal))
            && (queryContains is null || query.Contains(queryContains, StringComparison.Ordinal));

        public StandInResponse Response() => StatusCode switch
        {
            429 => StatusBodies.Failure(429, "TooManyRequests", "Too many requests, please try again later.",
                new JsonObject { ["retryAfterSeconds"] = 1 }),
            503 => StatusBodies.Failure(503, "ServiceUnavailable", "the server is currently unable to handle the request",
                new JsonObject { ["retryAfterSeconds"] = 1 }),
            504 => StatusBodies.Failure(504, "Timeout", "Timeout: request did not complete within the allowed duration"),
            var code => StatusBodies.Failure(code, "InternalError",
                "Internal error occurred: injected failure from the Kubernetes stand-in"),
        };
    }
}

/// <summary>A request held by <see cref="FaultInjector.PauseNext"/>: <see cref="Reached"/> completes when it arrives.</summary>
public sealed class FaultPause
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    internal Task HoldAsync(CancellationToken aborted)
    {
        _reached.TrySetResult();
        return _released.Task.WaitAsync(aborted);
    }
}
