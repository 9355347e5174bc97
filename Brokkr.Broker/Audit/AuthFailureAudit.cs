using System.Net;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Audit;

/// <summary>
/// Audits 401s as <c>auth.failed</c>, at most <c>audit_auth_failures_per_minute</c> per source address (a token bucket
/// of that size): a client hammering the API without a valid PAK must not be able to fill the audit table, and the
/// first failures of each address — what an investigation needs — are always kept. Those past the budget are
/// counted in <c>brokkr_audit_entries_dropped_total{reason="rate_limited"}</c>.
/// </summary>
public sealed class AuthFailureAudit : IDisposable
{
    private readonly AuditQueue _queue;
    private readonly AuditMetrics _metrics;
    private readonly PartitionedRateLimiter<IPAddress>? _budget;

    public AuthFailureAudit(AuditQueue queue, AuditMetrics metrics, IOptions<AuditOptions> options)
    {
        _queue = queue;
        _metrics = metrics;
        var perMinute = options.Value.AuthFailuresPerMinute;
        if (perMinute > 0)
        {
            _budget = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ =>
                new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perMinute,
                    TokensPerPeriod = perMinute,
                    ReplenishmentPeriod = TimeSpan.FromMinutes(1),
                    AutoReplenishment = true,
                    QueueLimit = 0,
                }));
        }
    }

    /// <summary>Records a refused request: its source address and what it asked for, never the presented key.</summary>
    public void Failed(HttpContext context, string reason)
    {
        if (_budget is not null && context.Connection.RemoteIpAddress is { } address)
        {
            using var lease = _budget.AttemptAcquire(address);
            if (!lease.IsAcquired)
            {
                _metrics.Dropped("rate_limited", 1);
                return;
            }
        }
        _queue.Record("auth.failed", "system", null, caller: null, context, new JsonObject
        {
            ["reason"] = reason,
            ["method"] = context.Request.Method,
            ["path"] = context.Request.Path.Value,
        });
    }

    public void Dispose() => _budget?.Dispose();
}
