using Brokkr.Broker.Data;
using Brokkr.Broker.Startup;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Audit;

/// <summary>
/// Drains <see cref="AuditQueue"/> into <c>audit_logs</c>: whatever is queued, up to <c>audit_batch_size</c> entries per
/// INSERT, as soon as it arrives. A batch the database refuses is logged (actions and resources only) and dropped,
/// not retried: a retry loop would let an outage fill the queue and stall every later entry. On shutdown the writer
/// flushes what is still queued.
/// </summary>
public sealed class AuditWriter(
    AuditQueue queue, AuditMetrics metrics, IServiceScopeFactory scopes, IOptions<AuditOptions> options, ILogger<AuditWriter> logger)
    : QueueDrain<AuditLog>(queue.Reader, queue.Complete)
{
    protected override int BatchSize => options.Value.BatchSize;

    protected override async Task WriteAsync(List<AuditLog> batch, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
            db.AuditLogs.AddRange(batch);
            await db.SaveChangesAsync(cancellationToken);
            metrics.Written(batch.Count);
        }
        catch (Exception e)
        {
            metrics.Dropped("write_failed", batch.Count);
            logger.LogError(e, "Lost {Count} audit entries: {Entries}", batch.Count,
                string.Join(", ", batch.Select(b => $"{b.Action} {b.ResourceType} {b.ResourceId}")));
        }
    }
}
