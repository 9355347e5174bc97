using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Brokkr.KubernetesStandIn.Storage;

/// <summary>The slice of API validation the stand-in enforces, producing 422 causes like the real server's.</summary>
public static partial class ObjectValidation
{
    public static List<(string Reason, string Message, string Field)> Validate(JsonObject obj)
    {
        var causes = new List<(string, string, string)>();
        var metadata = obj["metadata"] as JsonObject;
        var name = metadata?["name"]?.GetValue<string>() ?? "";
        if (!DnsSubdomain().IsMatch(name) || name.Length > 253)
        {
            causes.Add(("FieldValueInvalid",
                $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                "metadata.name"));
        }

        foreach (var (key, value) in metadata?["labels"] as JsonObject ?? [])
        {
            if (!LabelSelector.KeyPattern().IsMatch(key))
            {
                causes.Add(("FieldValueInvalid", $"Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.'", "metadata.labels"));
            }

            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (text is null || (text.Length > 0 && !LabelSelector.ValuePattern().IsMatch(text)))
            {
                causes.Add(("FieldValueInvalid", $"Invalid value: \"{value?.ToJsonString()}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'", "metadata.labels"));
            }
        }

        foreach (var (key, value) in metadata?["annotations"] as JsonObject ?? [])
        {
            if (value is not JsonValue v || !v.TryGetValue<string>(out _))
            {
                causes.Add(("FieldValueTypeInvalid", "Invalid value: annotation values must be strings", $"metadata.annotations.{key}"));
            }
        }

        if (obj["kind"]?.GetValue<string>() is "ConfigMap" or "Secret")
        {
            foreach (var (key, value) in obj["data"] as JsonObject ?? [])
            {
                if (value is not JsonValue v || !v.TryGetValue<string>(out _))
                {
                    causes.Add(("FieldValueTypeInvalid", $"Invalid value: \"{value?.ToJsonString()}\": data[{key}] must be of type string", $"data[{key}]"));
                }
            }
        }

        return causes;
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
