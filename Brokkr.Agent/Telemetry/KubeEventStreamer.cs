using System.Globalization;
using System.Text.Json.Nodes;
using Brokkr.Agent.Configuration;
using Brokkr.Agent.Kubernetes;
using Brokkr.Wire;

namespace Brokkr.Agent.Telemetry;

/// <summary>
/// Streams the core/v1 Events about objects this agent applied (always on, as upstream: events are cheap signal). Each
/// pass lists events (in <c>watch_namespace</c>, or everywhere) and offers every one it has not sent at its current
/// resourceVersion — an event Kubernetes folds repeats into (a higher <c>count</c>) is sent again — whose involved
/// object is one of this agent's (<see cref="ManagedStacks"/>). Events older than the agent's start are history the
/// diagnostics already cover, not news. The seen set is bounded.
/// </summary>
public sealed class KubeEventStreamer(IKubernetesClient kubernetes, ManagedStacks stacks, TelemetryUplink uplink, AgentSettings settings)
{
    public const int MaxSeen = 20_000;

    private readonly Dictionary<string, string> _seen = [];

    public async Task RunOnceAsync(Guid agentId, DateTimeOffset notBefore, CancellationToken cancellationToken)
    {
        if (await kubernetes.ResolveAsync("v1", "Event", cancellationToken) is not { } events)
        {
            return;
        }
        foreach (var evt in await kubernetes.ListAsync(events, settings.WatchNamespace, null, cancellationToken))
        {
            var metadata = evt["metadata"];
            var key = metadata?["uid"]?.GetValue<string>() ?? $"{metadata?["namespace"]}/{metadata?["name"]}";
            var version = metadata?["resourceVersion"]?.GetValue<string>() ?? "";
            if (_seen.GetValueOrDefault(key) == version || ObservedAt(evt) is not { } observed || observed < notBefore
                || evt["involvedObject"] is not JsonObject involved || Text(involved, "kind") is not { } kind
                || Text(involved, "name") is not { } name)
            {
                continue;
            }
            var apiVersion = Text(involved, "apiVersion") ?? "v1";
            var ns = Text(involved, "namespace");
            if (await stacks.OfReferenceAsync(apiVersion, kind, ns, name, agentId, cancellationToken) is not { } stack)
            {
                continue;
            }
            if (_seen.Count >= MaxSeen)
            {
                _seen.Clear();
            }
            _seen[key] = version;
            uplink.Offer(new K8sEventMessage(new WireK8sEvent(agentId, stack, observed.UtcDateTime, Text(evt, "reason") ?? "",
                Text(evt, "message") ?? "", Text(evt, "type") ?? "Normal",
                Source(evt),
                new WireObjectRef(apiVersion, kind, ns, name, Text(involved, "uid")))));
        }
    }

    private static DateTimeOffset? ObservedAt(JsonObject evt)
    {
        foreach (var field in new[] { "lastTimestamp", "eventTime", "firstTimestamp" })
        {
            if (Text(evt, field) is { } text
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return at;
            }
        }
        return null;
    }

    /// <summary>The reporting component: core/v1's <c>source.component</c>, else the events.k8s.io-style field.</summary>
    private static string? Source(JsonObject evt) =>
        Text(evt["source"] as JsonObject, "component") is { Length: > 0 } component ? component
            : Text(evt, "reportingComponent") is { Length: > 0 } reporting ? reporting : null;

    private static string? Text(JsonObject? obj, string property) =>
        obj?[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
