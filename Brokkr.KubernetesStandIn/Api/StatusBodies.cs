using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Discovery;

namespace Brokkr.KubernetesStandIn.Api;

/// <summary>An answer: a JSON body with its HTTP status, or the plain-text 404 of an unserved path.</summary>
public sealed record StandInResponse(int Code, JsonNode? Body, string? PlainText = null)
{
    public static StandInResponse PageNotFound { get; } = new(404, null, "404 page not found");

    public IResult ToResult() => PlainText is not null
        ? Results.Text(PlainText + "\n", "text/plain; charset=utf-8", statusCode: Code)
        : Results.Text(Body?.ToJsonString() ?? "", "application/json", statusCode: Code);
}

/// <summary>Status objects shaped like the recorded ones (kubernetes-protocol.md §2.4–2.6, fixtures status-*.json).</summary>
public static class StatusBodies
{
    public static StandInResponse Failure(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(),
            ["status"] = "Failure", ["message"] = message, ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return new StandInResponse(code, status);
    }

    public static StandInResponse NotFound(ServedResource resource, string name) =>
        Failure(404, "NotFound", $"{resource.QualifiedPlural} \"{name}\" not found", Details(name, resource.Group, resource.Plural));

    public static StandInResponse NamespaceNotFound(string ns) =>
        Failure(404, "NotFound", $"namespaces \"{ns}\" not found", Details(ns, "", "namespaces"));

    public static StandInResponse BadRequest(string message) => Failure(400, "BadRequest", message);

    /// <summary>422 Invalid: details.kind is the Kind (not the plural), one cause per field error.</summary>
    public static StandInResponse Invalid(string kind, string group, string name,
        IReadOnlyList<(string Reason, string Message, string Field)> causes)
    {
        var qualified = group.Length == 0 ? kind : $"{kind}.{group}";
        var text = string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}"));
        var details = Details(name, group, kind);
        details["causes"] = new JsonArray(causes.Select(c => (JsonNode)new JsonObject
        {
            ["reason"] = c.Reason, ["message"] = c.Message, ["field"] = c.Field,
        }).ToArray());
        return Failure(422, "Invalid", $"{qualified} \"{name}\" is invalid: {text}", details);
    }

    /// <summary>200 Status Success of an immediate delete: no message, no code (status-200-delete-success.json).</summary>
    public static StandInResponse DeleteSuccess(ServedResource resource, string name, string? uid)
    {
        var details = Details(name, resource.Group, resource.Plural);
        if (uid is not null)
        {
            details["uid"] = uid;
        }

        return new StandInResponse(200, new JsonObject
        {
            ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(),
            ["status"] = "Success", ["details"] = details,
        });
    }

    private static JsonObject Details(string name, string group, string kind)
    {
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            details["group"] = group;
        }

        details["kind"] = kind;
        return details;
    }
}
