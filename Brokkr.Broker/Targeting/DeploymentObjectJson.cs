using System.Text.Json;
using Brokkr.Broker.Data;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Targeting;

/// <summary>
/// The JSON of deployment objects as target-state answers carry them, kept per (id, updated_at). A deployment object
/// is immutable and any UPDATE of its row restamps updated_at (the <c>set_updated_at</c> trigger), so an entry can never
/// be stale: a changed row has a new key, and rows that leave an answer are simply no longer asked for. No invalidation,
/// hence nothing to keep in step across broker replicas. Thousands of agents poll the same few objects, so one
/// serialisation serves them all and a poll reads from PostgreSQL only the (id, updated_at) rows it needs anyway for
/// its ETag.
/// </summary>
public sealed class DeploymentObjectJson : IDisposable
{
    // Bytes of JSON held at most: room for thousands of typical objects; past it MemoryCache compacts and the
    // evicted objects are read again on their next use.
    private const long MaxBytes = 64L * 1024 * 1024;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxBytes });
    private readonly JsonSerializerOptions _json;

    public DeploymentObjectJson(IOptions<JsonOptions> json) => _json = json.Value.SerializerOptions;

    /// <summary>
    /// The JSON of every row, in order, reading the objects not held from <paramref name="db"/> in one statement; null
    /// when a row changed since <paramref name="rows"/> were read (the caller then answers from a fresh read).
    /// </summary>
    public async Task<byte[][]?> ResolveAsync(IReadOnlyList<TargetStateRow> rows, BrokkrDbContext db)
    {
        var elements = new byte[rows.Count][];
        List<Guid>? missing = null;
        for (var i = 0; i < rows.Count; i++)
        {
            if (_cache.TryGetValue(rows[i], out byte[]? element))
            {
                elements[i] = element!;
            }
            else
            {
                (missing ??= []).Add(rows[i].Id);
            }
        }
        if (missing is null)
        {
            return elements;
        }

        var read = await db.DeploymentObjects.AsNoTracking().Where(d => missing.Contains(d.Id) && d.DeletedAt == null)
            .ToDictionaryAsync(d => d.Id);
        for (var i = 0; i < rows.Count; i++)
        {
            if (elements[i] is not null)
            {
                continue;
            }
            if (!read.TryGetValue(rows[i].Id, out var deploymentObject) || deploymentObject.UpdatedAt != rows[i].UpdatedAt)
            {
                return null;
            }
            elements[i] = Add(deploymentObject);
        }
        return elements;
    }

    private byte[] Add(DeploymentObject deploymentObject)
    {
        var element = JsonSerializer.SerializeToUtf8Bytes(deploymentObject, _json);
        _cache.Set(new TargetStateRow(deploymentObject.Id, deploymentObject.UpdatedAt), element,
            new MemoryCacheEntryOptions { Size = element.Length });
        return element;
    }

    public void Dispose() => _cache.Dispose();
}
