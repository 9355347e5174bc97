using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Brokkr.Yaml;
using Microsoft.Net.Http.Headers;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Brokkr.Broker.Api.V1.DeploymentObjects;

/// <summary>A validated new deployment object: content, broker-computed checksum and marker flag.</summary>
public sealed record DeploymentObjectSubmission(string YamlContent, string YamlChecksum, bool IsDeletionMarker)
{
    public static readonly string[] YamlMediaTypes = ["application/yaml", "text/yaml", "application/x-yaml"];

    /// <summary>
    /// Reads either form of spec §4.8 — raw YAML (YAML Content-Type, marker from <c>?deletion_marker=true</c>) or
    /// JSON <c>{"yaml_content","is_deletion_marker"}</c> — and validates it. Every rejection, bad JSON and YAML nested
    /// deeper than <see cref="BoundedYamlParser.MaxDepth"/> levels and aliases that expand too far included, is 400
    /// <c>invalid_deployment_object</c>.
    /// </summary>
    public static async Task<DeploymentObjectSubmission> ReadAsync(HttpRequest request)
    {
        var bytes = await RequestBody.ReadBytesAsync(request);
        string content;
        bool marker;
        if (IsYaml(request.ContentType))
        {
            content = DecodeUtf8(bytes);
            marker = string.Equals(request.Query["deletion_marker"], "true", StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            (content, marker) = ParseJson(DecodeUtf8(bytes));
        }

        return marker && string.IsNullOrWhiteSpace(content) ? WithChecksum(content, marker) : FromYaml(content, marker);
    }

    /// <summary>Validates YAML from elsewhere (a rendered template) exactly as a posted object's.</summary>
    public static DeploymentObjectSubmission FromYaml(string content, bool marker = false)
    {
        RequireYamlObjects(content, Invalid);
        return WithChecksum(content, marker);
    }

    private static DeploymentObjectSubmission WithChecksum(string content, bool marker) =>
        new(content, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content))), marker);

    public static bool IsYaml(string? mediaType) =>
        MediaTypeHeaderValue.TryParse(mediaType, out var parsed) &&
        YamlMediaTypes.Contains(parsed.MediaType.Value, StringComparer.OrdinalIgnoreCase);

    private static (string Content, bool Marker) ParseJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("yaml_content", out var yaml) || yaml.ValueKind != JsonValueKind.String)
            {
                throw Invalid("the body must be a JSON object with a string yaml_content");
            }
            var marker = false;
            if (root.TryGetProperty("is_deletion_marker", out var flag) && flag.ValueKind != JsonValueKind.Null)
            {
                marker = flag.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw Invalid("is_deletion_marker must be a boolean"),
                };
            }
            if (!JsonText.TryGetString(yaml, out var content))
            {
                throw Invalid("yaml_content holds an unpaired surrogate escape (like \\ud800)");
            }
            return (content, marker);
        }
        catch (JsonException)
        {
            throw Invalid("the body is not valid JSON");
        }
    }

    /// <summary>
    /// At least one non-null document of valid YAML within the parser's bounds; each rejection is made by
    /// <paramref name="invalid"/>, so another endpoint (work orders) answers with its own error code.
    /// </summary>
    public static void RequireYamlObjects(string content, Func<string, ApiException> invalid)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            throw invalid("yaml_content must not be empty");
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(BoundedYamlParser.For(content));
        }
        catch (YamlNestingTooDeepException e)
        {
            throw invalid($"yaml_content nests mappings or sequences more than {e.MaxDepth} levels deep (line {e.Start.Line}, column {e.Start.Column})");
        }
        catch (YamlLimitExceededException e)
        {
            throw invalid($"yaml_content is too large once expanded: {e.Message} (line {e.Start.Line}, column {e.Start.Column})");
        }
        catch (YamlException e)
        {
            throw invalid($"yaml_content is not valid YAML (line {e.Start.Line}, column {e.Start.Column})");
        }
        if (!stream.Documents.Any(d => !IsNull(d.RootNode)))
        {
            throw invalid("yaml_content holds no YAML document");
        }
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string DecodeUtf8(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid("the body is not valid UTF-8");
        }
    }

    private static ApiException Invalid(string message) => ApiException.BadRequest("invalid_deployment_object", message);
}
