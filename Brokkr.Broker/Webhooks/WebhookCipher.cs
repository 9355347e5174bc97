using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Webhooks;

/// <summary>
/// AES-256-GCM for the secret fields of a subscription. A ciphertext is <c>version(1) ‖ nonce(12) ‖ data ‖ tag(16)</c>;
/// the subscription id and field name are its associated data, so a value copied into another row or column does
/// not decrypt. Decryption tries the current key, then the previous ones (rotation).
/// </summary>
public sealed class WebhookCipher
{
    public const string KeySetting = "BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY";
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[]? _current;
    private readonly List<byte[]> _previous;

    public WebhookCipher(IOptions<WebhookOptions> options)
    {
        _current = string.IsNullOrWhiteSpace(options.Value.EncryptionKey) ? null : ParseKey(options.Value.EncryptionKey, KeySetting);
        _previous = options.Value.PreviousEncryptionKeys.Where(k => !string.IsNullOrWhiteSpace(k))
            .Select(k => ParseKey(k, "BROKKR__BROKER__WEBHOOK_ENCRYPTION_PREVIOUS_KEYS")).ToList();
    }

    public bool HasKey => _current is not null;

    public bool HasPreviousKeys => _previous.Count > 0;

    public byte[] Encrypt(string plaintext, Guid subscriptionId, string field)
    {
        var key = _current ?? throw new WebhookKeyMissingException();
        var data = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[1 + NonceSize + data.Length + TagSize];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, data, output.AsSpan(1 + NonceSize, data.Length), output.AsSpan(1 + NonceSize + data.Length), Aad(subscriptionId, field));
        return output;
    }

    /// <summary>The plaintext, and whether it was under the current key; null when no configured key opens it.</summary>
    public (string Plaintext, bool Current)? TryDecrypt(byte[] ciphertext, Guid subscriptionId, string field)
    {
        if (ciphertext.Length < 1 + NonceSize + TagSize || ciphertext[0] != Version)
        {
            return null;
        }
        var keys = _current is null ? _previous : _previous.Prepend(_current);
        foreach (var key in keys)
        {
            if (Open(key, ciphertext, subscriptionId, field) is { } plaintext)
            {
                return (plaintext, ReferenceEquals(key, _current));
            }
        }
        return null;
    }

    private static string? Open(byte[] key, byte[] ciphertext, Guid subscriptionId, string field)
    {
        var length = ciphertext.Length - 1 - NonceSize - TagSize;
        var data = new byte[length];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(ciphertext.AsSpan(1, NonceSize), ciphertext.AsSpan(1 + NonceSize, length),
                ciphertext.AsSpan(1 + NonceSize + length), data, Aad(subscriptionId, field));
            return Encoding.UTF8.GetString(data);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] Aad(Guid subscriptionId, string field) => Encoding.UTF8.GetBytes($"brokkr-webhook:{subscriptionId:D}:{field}");

    private static byte[] ParseKey(string value, string setting)
    {
        var hex = value.Trim();
        if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
        {
            throw new InvalidOperationException(
                $"{setting} must be 64 hex characters (a 32-byte AES-256 key, e.g. from `openssl rand -hex 32`); the configured value is not.");
        }
        return Convert.FromHexString(hex);
    }
}

/// <summary>A secret had to be encrypted but no key is configured.</summary>
public sealed class WebhookKeyMissingException()
    : Exception($"webhook subscriptions need an encryption key: set {WebhookCipher.KeySetting} (openssl rand -hex 32)");
