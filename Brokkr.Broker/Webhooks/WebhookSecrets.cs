namespace Brokkr.Broker.Webhooks;

/// <summary>Opens a claimed delivery's URL and auth header; a field no key opens is counted and named, never shown.</summary>
public sealed class WebhookSecrets(WebhookCipher cipher, WebhookMetrics metrics)
{
    public const string UrlField = "url";
    public const string AuthHeaderField = "auth_header";

    /// <summary>The URL and auth header, or the error to dead-letter the delivery with.</summary>
    public (string Url, string? AuthHeader)? Open(Guid subscriptionId, byte[] url, byte[]? authHeader, string path, out string? error)
    {
        error = null;
        if (cipher.TryDecrypt(url, subscriptionId, UrlField) is not { } openedUrl)
        {
            metrics.DecryptFailed(UrlField, path);
            error = "failed to decrypt the URL: the broker's webhook encryption key is not the one the subscription was written with";
            return null;
        }
        string? header = null;
        if (authHeader is not null)
        {
            if (cipher.TryDecrypt(authHeader, subscriptionId, AuthHeaderField) is not { } openedHeader)
            {
                metrics.DecryptFailed(AuthHeaderField, path);
                error = "failed to decrypt the auth header: the broker's webhook encryption key is not the one the subscription was written with";
                return null;
            }
            header = openedHeader.Plaintext;
        }
        return (openedUrl.Plaintext, header);
    }
}
