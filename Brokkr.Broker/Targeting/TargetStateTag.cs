using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Brokkr.Broker.Targeting;

/// <summary>The identity of one row of a target-state answer: what the ETag is computed from.</summary>
public readonly record struct TargetStateRow(Guid Id, DateTime UpdatedAt);

/// <summary>
/// The entity tag of a target-state answer. The answer is an ordered list of deployment objects, and a deployment
/// object row changes only through an UPDATE, which the <c>set_updated_at</c> trigger stamps (non-marker rows may only
/// be soft-deleted, which drops them from the answer anyway). So the ordered (id, updated_at) pairs determine the body
/// byte for byte: a new object, a new or removed target, an acknowledgement or a deletion changes the rows or their
/// order, and with them the tag. The mode and a format version are hashed in too, so a broker whose JSON shape changes
/// bumps <see cref="Version"/> and every agent fetches once more.
/// </summary>
public static class TargetStateTag
{
    private const byte Version = 1;

    public static EntityTagHeaderValue Of(bool full, IEnumerable<TargetStateRow> rows)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> row = stackalloc byte[24];
        row[0] = Version;
        row[1] = full ? (byte)1 : (byte)0;
        hash.AppendData(row[..2]);
        foreach (var (id, updatedAt) in rows)
        {
            id.TryWriteBytes(row[..16]);
            BinaryPrimitives.WriteInt64LittleEndian(row[16..], updatedAt.Ticks);
            hash.AppendData(row);
        }
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        // 128 bits are plenty to tell one agent's answers apart; the tag only has to differ when the body does.
        return new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(digest[..16]) + "\"");
    }

    /// <summary>
    /// RFC 9110 §13.1.2: If-None-Match matches when any listed tag equals <paramref name="current"/> by weak comparison,
    /// or when it is <c>*</c> (the answer always exists). An unparsable header matches nothing, so the client gets the
    /// full answer as it would without the header.
    /// </summary>
    public static bool Matches(IList<string> ifNoneMatch, EntityTagHeaderValue current)
    {
        if (ifNoneMatch.Count == 0 || !EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
        {
            return false;
        }
        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(current, useStrongComparison: false));
    }
}
