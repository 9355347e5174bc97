using System.Text.Json.Nodes;
using Brokkr.Agent.Configuration;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Reconcile;
using Brokkr.Wire;

namespace Brokkr.Agent.Telemetry;

/// <summary>
/// Streams the log lines of this agent's pods that opt in with the annotation <c>brokkr.io/stream-logs: "true"</c>
/// (upstream's per-pod opt-in; off by default). Each pass reads the first <see cref="WindowBytes"/> of every opted-in
/// container's log through the <c>pods/log</c> subresource and sends what was appended since the last pass (a log that
/// no longer starts with what was read — the container restarted — is read from its start). Bounded: at most
/// <see cref="LinesPerSecond"/> lines per container per second of pass interval, the rest dropped with a
/// <c>log_gap{rate_limit}</c>; past the window a container's log is not followed, said once with a
/// <c>log_gap{buffer_full}</c>.
/// </summary>
public sealed class PodLogStreamer(IKubernetesClient kubernetes, ManagedStacks stacks, TelemetryUplink uplink, AgentSettings settings)
{
    public const string StreamLogsAnnotation = "brokkr.io/stream-logs";
    public const int LinesPerSecond = 100;
    public const int WindowBytes = 1024 * 1024;
    private const int MaxTailLines = 1_000_000;

    private readonly Dictionary<(string Namespace, string Pod, string Container), Tail> _tails = [];

    // What was read so far is remembered by length and hash, not kept: memory stays small whatever the logs hold.
    private sealed class Tail
    {
        public int ReadLength;
        public int ReadHash = string.GetHashCode("");
        public bool GapSent;
        public bool Seen;

        public bool Continues(string text) => text.Length >= ReadLength && string.GetHashCode(text.AsSpan(0, ReadLength)) == ReadHash;
    }

    public async Task RunOnceAsync(Guid agentId, TimeSpan interval, CancellationToken cancellationToken)
    {
        if (await kubernetes.ResolveAsync("v1", "Pod", cancellationToken) is not { } pods)
        {
            return;
        }
        foreach (var tail in _tails.Values)
        {
            tail.Seen = false;
        }
        foreach (var pod in await kubernetes.ListAsync(pods, settings.WatchNamespace, null, cancellationToken))
        {
            if (BrokkrMetadata.Annotation(pod, StreamLogsAnnotation) != "true"
                || pod["metadata"]?["namespace"]?.GetValue<string>() is not { } ns || pod["metadata"]?["name"]?.GetValue<string>() is not { } name
                || await stacks.OfAsync(pod, agentId, cancellationToken) is not { } stack)
            {
                continue;
            }
            foreach (var container in (pod["spec"]?["containers"] as JsonArray ?? []).Select(c => c?["name"]?.GetValue<string>()).OfType<string>())
            {
                await FollowAsync(agentId, stack, ns, name, container, Math.Max(1, (int)(LinesPerSecond * interval.TotalSeconds)), cancellationToken);
            }
        }
        // Pods that went away stop being followed.
        foreach (var gone in _tails.Where(t => !t.Value.Seen).Select(t => t.Key).ToList())
        {
            _tails.Remove(gone);
        }
    }

    private async Task FollowAsync(Guid agentId, Guid stack, string ns, string pod, string container, int budget, CancellationToken cancellationToken)
    {
        var key = (ns, pod, container);
        if (!_tails.TryGetValue(key, out var tail))
        {
            _tails[key] = tail = new Tail();
        }
        tail.Seen = true;
        string text;
        try
        {
            text = await kubernetes.GetPodLogAsync(ns, pod, container, MaxTailLines, WindowBytes, cancellationToken);
        }
        catch (KubernetesApiException)
        {
            return; // not started yet, or gone: the next pass tries again
        }
        var start = tail.Continues(text) ? tail.ReadLength : 0;
        var fresh = text[start..];
        // Only whole lines: a line still being written is taken at the next pass.
        var end = fresh.LastIndexOf('\n');
        if (end < 0)
        {
            CheckWindow(agentId, stack, tail, text);
            return;
        }
        var lines = fresh[..end].Split('\n');
        tail.ReadLength = start + end + 1;
        tail.ReadHash = string.GetHashCode(text.AsSpan(0, tail.ReadLength));
        var now = DateTime.UtcNow;
        foreach (var line in lines.Take(budget))
        {
            uplink.Offer(new PodLogLineMessage(new WirePodLogLine(agentId, stack, ns, pod, container, now, line.TrimEnd('\r'))));
        }
        if (lines.Length > budget)
        {
            uplink.Offer(new LogGapMessage(new WireLogGap(agentId, stack, now, (ulong)(lines.Length - budget), "rate_limit")));
        }
        CheckWindow(agentId, stack, tail, text);
    }

    private void CheckWindow(Guid agentId, Guid stack, Tail tail, string text)
    {
        if (!tail.GapSent && System.Text.Encoding.UTF8.GetByteCount(text) >= WindowBytes)
        {
            tail.GapSent = true;
            uplink.Offer(new LogGapMessage(new WireLogGap(agentId, stack, DateTime.UtcNow, 0, "buffer_full")));
        }
    }
}
