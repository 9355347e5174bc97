using System.Text.Json.Nodes;

namespace Brokkr.Agent.Diagnostics;

/// <summary>
/// The wire shapes of a diagnostic's payloads (upstream's <c>docs/src/reference/diagnostics.md</c>): a pod's phase,
/// conditions and container states; an event's type, reason, message, object and times.
/// </summary>
public static class DiagnosticSnapshots
{
    public static JsonObject PodStatus(JsonObject pod)
    {
        var status = pod["status"] as JsonObject;
        var conditions = new JsonArray();
        foreach (var condition in (status?["conditions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            conditions.Add(new JsonObject
            {
                ["condition_type"] = Text(condition["type"]),
                ["status"] = Text(condition["status"]),
                ["reason"] = Text(condition["reason"]),
                ["message"] = Text(condition["message"]),
            });
        }
        var containers = new JsonArray();
        foreach (var container in (status?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var (state, reason, message) = State(container["state"] as JsonObject);
            containers.Add(new JsonObject
            {
                ["name"] = Text(container["name"]),
                ["ready"] = container["ready"] is JsonValue r && r.TryGetValue<bool>(out var ready) && ready,
                ["restart_count"] = container["restartCount"] is JsonValue c && c.TryGetValue<int>(out var count) ? count : 0,
                ["state"] = state,
                ["state_reason"] = reason,
                ["state_message"] = message,
            });
        }
        return new JsonObject
        {
            ["name"] = Text(pod["metadata"]?["name"]),
            ["namespace"] = Text(pod["metadata"]?["namespace"]),
            ["phase"] = Text(status?["phase"]) ?? "Unknown",
            ["conditions"] = conditions,
            ["containers"] = containers,
        };
    }

    public static JsonObject Event(JsonObject evt) => new()
    {
        ["event_type"] = Text(evt["type"]),
        ["reason"] = Text(evt["reason"]),
        ["message"] = Text(evt["message"]),
        ["involved_object"] = Text(evt["involvedObject"]?["name"]) ?? "unknown",
        ["involved_object_kind"] = Text(evt["involvedObject"]?["kind"]),
        ["count"] = evt["count"] is JsonValue c && c.TryGetValue<int>(out var count) ? count : null,
        ["first_timestamp"] = Text(evt["firstTimestamp"]),
        ["last_timestamp"] = LastSeen(evt),
    };

    /// <summary>When the event last happened: lastTimestamp, else eventTime (events.k8s.io writers), else creation.</summary>
    public static string? LastSeen(JsonObject evt) =>
        Text(evt["lastTimestamp"]) ?? Text(evt["eventTime"]) ?? Text(evt["metadata"]?["creationTimestamp"]);

    private static (string State, string? Reason, string? Message) State(JsonObject? state)
    {
        foreach (var name in new[] { "running", "waiting", "terminated" })
        {
            if (state?[name] is JsonObject detail)
            {
                return (name, Text(detail["reason"]), Text(detail["message"]));
            }
        }
        return ("unknown", null, null);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
