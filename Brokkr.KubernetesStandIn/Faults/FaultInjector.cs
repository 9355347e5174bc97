using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Api;

namespace Brokkr.KubernetesStandIn.Faults;

/// <summary>
/// Test-controlled failures: the next N matching requests answer an error Status (500 InternalError by default,
/// 429 with Retry-After, 503 ServiceUnavailable…) or hang for a while before being served. A rule may be limited to
/// one method and/or a path prefix (e.g. one API group during discovery).
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _lock = new();
    private readonly List<FaultRule> _rules = [];

    /// <summary>How many requests were answered with an injected fault so far.</summary>
    public int InjectedCount { get; private set; }

    public void FailNext(int count, int statusCode = 500, string? method = null, string? pathPrefix = null) =>
        Add(new FaultRule(count, statusCode, TimeSpan.Zero, method, pathPrefix));

    public void HangNext(int count, TimeSpan duration, string? method = null, string? pathPrefix = null) =>
        Add(new FaultRule(count, 0, duration, method, pathPrefix));

    /// <summary>Fail every matching request until <see cref="Clear"/>.</summary>
    public void FailAll(int statusCode = 500, string? method = null, string? pathPrefix = null) =>
        FailNext(int.MaxValue, statusCode, method, pathPrefix);

    public void HangAll(TimeSpan duration, string? method = null, string? pathPrefix = null) =>
        HangNext(int.MaxValue, duration, method, pathPrefix);

    public void Clear()
    {
        lock (_lock)
        {
            _rules.Clear();
        }
    }

    internal FaultRule? Take(string method, string path)
    {
        lock (_lock)
        {
            var rule = _rules.FirstOrDefault(r => r.Matches(method, path));
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

    internal sealed class FaultRule(int count, int statusCode, TimeSpan hang, string? method, string? pathPrefix)
    {
        public int Remaining { get; set; } = count;
        public int StatusCode { get; } = statusCode;
        public TimeSpan Hang { get; } = hang;

        public bool Matches(string requestMethod, string path) =>
            (method is null || string.Equals(method, requestMethod, StringComparison.OrdinalIgnoreCase))
            && (pathPrefix is null || path.StartsWith(pathPrefix, StringComparison.Ordinal));

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
