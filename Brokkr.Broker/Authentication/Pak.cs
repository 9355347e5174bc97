using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Brokkr.Broker.Configuration;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Authentication;

/// <summary>A freshly minted PAK: the plaintext is handed to the caller once; only <see cref="Hash"/> is stored.</summary>
public sealed record MintedPak(string Plaintext, string Hash);

/// <summary>Brokkr's PAK format (spec §2.1–§2.2): <c>&lt;prefix&gt;_&lt;short&gt;_&lt;long&gt;</c>, hashed over the long part.</summary>
public sealed class PakFormat(IOptions<PakOptions> options)
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const int ShortTokenRandomBytes = 8;

    public MintedPak Mint()
    {
        var o = options.Value;
        var shortToken = (o.ShortTokenPrefix + Base58(RandomNumberGenerator.GetBytes(ShortTokenRandomBytes)))[..o.ShortTokenLength];
        var longToken = Base58(RandomNumberGenerator.GetBytes(o.LongTokenLength));
        return new MintedPak($"{o.Prefix}_{shortToken}_{longToken}", HashLongToken(longToken));
    }

    /// <summary>The stored hash of a presented PAK, or null when it is not three '_'-separated parts.</summary>
    public static string? HashOf(string pak)
    {
        var parts = pak.Split('_');
        return parts.Length == 3 ? HashLongToken(parts[2]) : null;
    }

    /// <summary>Three '_'-separated parts (prefix and short part are not checked, spec §2.2).</summary>
    public static bool IsWellFormed(string pak) => pak.AsSpan().Count('_') == 2;

    public static string HashLongToken(string longToken) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(longToken)));

    /// <summary>Compares two hex hashes without an early exit, so response time does not leak a matching prefix.</summary>
    public static bool HashesEqual(string? a, string? b) =>
        a is not null && b is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    public static bool IsValidHash(string? hash) =>
        hash is { Length: 64 } && hash.All(char.IsAsciiHexDigit);

    private static string Base58(byte[] bytes)
    {
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var result = new StringBuilder();
        while (value > 0)
        {
            value = BigInteger.DivRem(value, 58, out var remainder);
            result.Insert(0, Base58Alphabet[(int)remainder]);
        }
        foreach (var b in bytes)
        {
            if (b != 0) break;
            result.Insert(0, '1');
        }
        return result.ToString();
    }
}
