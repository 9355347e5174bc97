using System.Text.Json;
using Brokkr.Broker.Errors;
using Json.Schema;

namespace Brokkr.Broker.Templates;

/// <summary>
/// A template's <c>parameters_schema</c>: JSON Schema (draft 2020-12 unless its <c>$schema</c> names another draft),
/// checked against its meta-schema when stored and applied to the parameters of every render.
/// </summary>
public static class ParameterSchema
{
    /// <summary>400 <c>invalid_parameters_schema</c> unless <paramref name="text"/> is a JSON Schema the validator can use.</summary>
    public static JsonSchema Parse(string text)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw Invalid($"parameters_schema is not JSON: {e.Message}");
        }
        if (root.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            throw Invalid("parameters_schema must be a JSON Schema object (or true/false)");
        }
        var meta = MetaSchemas.Draft202012.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!meta.IsValid)
        {
            throw Invalid("parameters_schema is not a valid JSON Schema: " + string.Join("; ", Errors(meta)));
        }
        try
        {
            // A registry of its own: templates may reuse $id values without meeting each other's schemas.
            return JsonSchema.Build(root, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        }
        catch (Exception e) when (e is JsonSchemaException or JsonException or ArgumentException or InvalidOperationException or UriFormatException)
        {
            throw Invalid($"parameters_schema cannot be used: {e.Message}");
        }
    }

    /// <summary>400 <c>invalid_parameters</c> listing every failed constraint, by where it failed, in <c>details.validation_errors</c>.</summary>
    public static void Validate(string schemaText, JsonElement parameters)
    {
        var schema = Parse(schemaText);
        EvaluationResults results;
        try
        {
            results = schema.Evaluate(parameters, new EvaluationOptions { OutputFormat = OutputFormat.List });
        }
        catch (Exception e) when (e is JsonSchemaException or InvalidOperationException or RefResolutionException)
        {
            throw Invalid($"parameters_schema cannot be applied: {e.Message}");
        }
        if (!results.IsValid)
        {
            var errors = Errors(results).ToList();
            throw new ApiException(StatusCodes.Status400BadRequest, "invalid_parameters",
                "the parameters do not satisfy the template's parameters_schema: " + string.Join("; ", errors),
                new Dictionary<string, object> { ["validation_errors"] = errors });
        }
    }

    private static IEnumerable<string> Errors(EvaluationResults results) =>
        (results.Details ?? [results]).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{Location(d)}: {e.Value}"))
            .Distinct();

    private static string Location(EvaluationResults result) =>
        result.InstanceLocation.ToString() is { Length: > 0 } pointer ? pointer : "/";

    private static ApiException Invalid(string message) => ApiException.BadRequest("invalid_parameters_schema", message);
}
