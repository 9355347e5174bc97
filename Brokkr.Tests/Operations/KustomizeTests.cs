using System.Text.Json.Nodes;

namespace Brokkr.Tests.Operations;

public sealed class KustomizeTests
{
    private const string Namespace = "brokkr";

    public static TheoryData<string> Overlays() => new(Kustomize.Overlays);

    [Fact]
    public void The_example_overlays_are_there()
    {
        Assert.Equal(["default", "metrics-disabled", "with-monitoring"], Kustomize.Overlays);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_overlay_renders_broker_and_agent_with_probes_limits_and_a_locked_down_container(string overlay)
    {
        var rendered = await Kustomize.RenderOverlayAsync(overlay);

        foreach (var kind in new[] { "Deployment", "Service", "ConfigMap", "ServiceAccount" })
        {
            Assert.Equal(2, rendered.OfKind(kind).Count());
        }

        Assert.DoesNotContain("Secret", rendered.Kinds); // secrets are referenced, never shipped
        Assert.All(rendered.Resources.Where(r => r["kind"]!.GetValue<string>() is not ("Namespace" or "ClusterRole" or "ClusterRoleBinding")),
            r => Assert.Equal(Namespace, r["metadata"]!["namespace"]?.GetValue<string>()));

        AssertProbesAndHardening(rendered, "brokkr-broker", "http", 3000);
        AssertProbesAndHardening(rendered, "brokkr-agent", "health", 8080);
        Assert.Equal("brokkr-broker", rendered.Single("Deployment", "brokkr-broker")["spec"]!["template"]!["spec"]!["serviceAccountName"]!.GetValue<string>());
        Assert.Equal("brokkr-agent", rendered.Single("Deployment", "brokkr-agent")["spec"]!["template"]!["spec"]!["serviceAccountName"]!.GetValue<string>());

        AssertSecretReference(rendered.Container("brokkr-broker"), "BROKKR__DATABASE__URL", "brokkr-broker-database", "url", optional: false);
        // Optional, so the broker starts without it and accepts the development admin PAK, as the base's comment says.
        AssertSecretReference(rendered.Container("brokkr-broker"), "BROKKR__BROKER__PAK_HASH", "brokkr-broker-admin", "pak_hash", optional: true);
        AssertSecretReference(rendered.Container("brokkr-agent"), "BROKKR__AGENT__PAK", "brokkr-agent", "pak", optional: false);
        Assert.Equal("Recreate", rendered.Single("Deployment", "brokkr-agent")["spec"]!["strategy"]!["type"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_overlay_gives_the_agent_rbac_for_what_it_manages_and_for_discovery(string overlay)
    {
        var rendered = await Kustomize.RenderOverlayAsync(overlay);

        var rules = rendered.Single("ClusterRole", "brokkr-agent")["rules"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var managed = Assert.Single(rules, r => r["resources"] is not null);
        Assert.Equal(["create", "delete", "get", "list", "patch"], Strings(managed["verbs"]).Order());
        var discovery = Assert.Single(rules, r => r["nonResourceURLs"] is not null);
        Assert.Contains("/apis/*", Strings(discovery["nonResourceURLs"]));
        Assert.Equal(["get"], Strings(discovery["verbs"]));

        var binding = rendered.Single("ClusterRoleBinding", "brokkr-agent");
        Assert.Equal("brokkr-agent", binding["roleRef"]!["name"]!.GetValue<string>());
        var subject = Assert.Single(binding["subjects"]!.AsArray())!;
        Assert.Equal(("ServiceAccount", "brokkr-agent", Namespace),
            (subject["kind"]!.GetValue<string>(), subject["name"]!.GetValue<string>(), subject["namespace"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Default_overlay_has_metrics_on_scrape_annotations_and_no_monitors()
    {
        var rendered = await Kustomize.RenderOverlayAsync("default");

        AssertMetricsEnabled(rendered, "true");
        Assert.Equal("3000", rendered.PodAnnotations("brokkr-broker")?["prometheus.io/port"]?.GetValue<string>());
        Assert.Equal("8080", rendered.PodAnnotations("brokkr-agent")?["prometheus.io/port"]?.GetValue<string>());
        Assert.DoesNotContain("ServiceMonitor", rendered.Kinds);
        Assert.DoesNotContain("PodMonitor", rendered.Kinds);
    }

    [Fact]
    public async Task With_monitoring_overlay_has_a_service_monitor_and_a_pod_monitor_at_the_interval_it_sets()
    {
        var rendered = await Kustomize.RenderOverlayAsync("with-monitoring");

        AssertMetricsEnabled(rendered, "true");
        var serviceMonitor = Assert.Single(rendered.Single("ServiceMonitor", "brokkr-broker")["spec"]!["endpoints"]!.AsArray())!;
        Assert.Equal(("http", "/metrics", "15s"), Endpoint(serviceMonitor));
        var podMonitor = Assert.Single(rendered.Single("PodMonitor", "brokkr-agent")["spec"]!["podMetricsEndpoints"]!.AsArray())!;
        Assert.Equal(("health", "/metrics", "15s"), Endpoint(podMonitor));

        // The monitors select what the bases label, and name the jobs the alert rules expect.
        var service = rendered.Single("Service", "brokkr-broker");
        Assert.Equal(service["metadata"]!["labels"]!["app.kubernetes.io/name"]!.GetValue<string>(),
            rendered.Single("ServiceMonitor", "brokkr-broker")["spec"]!["selector"]!["matchLabels"]!["app.kubernetes.io/name"]!.GetValue<string>());
        Assert.Equal("brokkr-agent",
            rendered.Single("PodMonitor", "brokkr-agent")["spec"]!["selector"]!["matchLabels"]!["app.kubernetes.io/name"]!.GetValue<string>());
        Assert.Equal("brokkr-agent", rendered.Single("Deployment", "brokkr-agent")["spec"]!["template"]!["metadata"]!["labels"]!["app.kubernetes.io/name"]!.GetValue<string>());

        // The settings ConfigMap is local-config: used while rendering, never applied.
        Assert.DoesNotContain(rendered.OfKind("ConfigMap"), c => c["metadata"]!["name"]!.GetValue<string>() == "brokkr-monitoring-settings");
    }

    [Fact]
    public async Task The_scrape_interval_is_set_in_one_place_for_both_monitors()
    {
        var rendered = await Kustomize.RenderAdHocAsync("""
            resources: ["{root}/base/broker", "{root}/base/agent", settings.yaml]
            components: ["{root}/components/broker-servicemonitor", "{root}/components/agent-podmonitor", "{root}/components/scrape-interval"]
            """,
            MonitoringSettings("45s"));

        Assert.Equal("45s", rendered.Single("ServiceMonitor", "brokkr-broker")["spec"]!["endpoints"]![0]!["interval"]!.GetValue<string>());
        Assert.Equal("45s", rendered.Single("PodMonitor", "brokkr-agent")["spec"]!["podMetricsEndpoints"]![0]!["interval"]!.GetValue<string>());
    }

    [Fact]
    public async Task Monitors_default_to_a_30s_interval_without_the_scrape_interval_component()
    {
        var rendered = await Kustomize.RenderAdHocAsync("""
            resources: ["{root}/base/broker", "{root}/base/agent"]
            components: ["{root}/components/broker-servicemonitor", "{root}/components/agent-podmonitor"]
            """);

        Assert.Equal("30s", rendered.Single("ServiceMonitor", "brokkr-broker")["spec"]!["endpoints"]![0]!["interval"]!.GetValue<string>());
        Assert.Equal("30s", rendered.Single("PodMonitor", "brokkr-agent")["spec"]!["podMetricsEndpoints"]![0]!["interval"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_workload_cluster_can_run_the_agent_alone_with_its_pod_monitor_and_interval()
    {
        // The usual topology: the broker in one cluster, an agent in each workload cluster.
        var rendered = await Kustomize.RenderAdHocAsync("""
            resources: ["{root}/base/agent", settings.yaml]
            components: ["{root}/components/agent-podmonitor", "{root}/components/scrape-interval"]
            """,
            MonitoringSettings("1m"));

        Assert.Equal("brokkr-agent", Assert.Single(rendered.OfKind("Deployment"))["metadata"]!["name"]!.GetValue<string>());
        Assert.DoesNotContain("ServiceMonitor", rendered.Kinds);
        Assert.Equal("1m", rendered.Single("PodMonitor", "brokkr-agent")["spec"]!["podMetricsEndpoints"]![0]!["interval"]!.GetValue<string>());
    }

    [Fact]
    public async Task Metrics_disabled_overlay_turns_metrics_off_and_drops_scrape_annotations()
    {
        var rendered = await Kustomize.RenderOverlayAsync("metrics-disabled");

        AssertMetricsEnabled(rendered, "false");
        AssertNoScrapeAnnotations(rendered);
        Assert.DoesNotContain("ServiceMonitor", rendered.Kinds);
        Assert.DoesNotContain("PodMonitor", rendered.Kinds);
    }

    [Fact]
    public async Task Disable_metrics_removes_monitors_that_components_before_it_added()
    {
        var rendered = await Kustomize.RenderAdHocAsync("""
            resources: ["{root}/base/broker", "{root}/base/agent"]
            components: ["{root}/components/broker-servicemonitor", "{root}/components/agent-podmonitor", "{root}/components/disable-metrics"]
            """);

        AssertMetricsEnabled(rendered, "false");
        AssertNoScrapeAnnotations(rendered);
        Assert.DoesNotContain("ServiceMonitor", rendered.Kinds);
        Assert.DoesNotContain("PodMonitor", rendered.Kinds);
        Assert.Equal(2, rendered.OfKind("Deployment").Count());
    }

    /// <summary>The local-config ConfigMap components/scrape-interval reads, as an overlay would write it.</summary>
    private static (string, string) MonitoringSettings(string interval) => ("settings.yaml", $$"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: brokkr-monitoring-settings
          annotations: { config.kubernetes.io/local-config: "true" }
        data: { scrape_interval: {{interval}} }
        """);

    private static void AssertProbesAndHardening(Kustomize.Rendered rendered, string deployment, string portName, int port)
    {
        var container = rendered.Container(deployment);
        var ports = container["ports"]!.AsArray();
        Assert.Contains(ports, p => p!["name"]!.GetValue<string>() == portName && p["containerPort"]!.ToString() == port.ToString());

        Assert.Equal(("/healthz", portName), Probe(container, "livenessProbe"));
        Assert.Equal(("/readyz", portName), Probe(container, "readinessProbe"));
        Assert.Equal(("/healthz", portName), Probe(container, "startupProbe"));

        Assert.NotNull(container["resources"]?["requests"]?["cpu"]);
        Assert.NotNull(container["resources"]?["requests"]?["memory"]);
        Assert.NotNull(container["resources"]?["limits"]?["memory"]);

        var podSecurity = rendered.Single("Deployment", deployment)["spec"]!["template"]!["spec"]!["securityContext"]!;
        Assert.Equal("true", podSecurity["runAsNonRoot"]!.ToString());
        Assert.NotEqual("0", podSecurity["runAsUser"]!.ToString());
        var security = container["securityContext"]!;
        Assert.Equal("true", security["readOnlyRootFilesystem"]!.ToString());
        Assert.Equal("false", security["allowPrivilegeEscalation"]!.ToString());
        Assert.Equal(["ALL"], Strings(security["capabilities"]!["drop"]));
        Assert.Contains(container["volumeMounts"]!.AsArray(), m => m!["mountPath"]!.GetValue<string>() == "/tmp");
    }

    private static (string Path, string Port) Probe(JsonObject container, string probe) =>
        (container[probe]!["httpGet"]!["path"]!.GetValue<string>(), container[probe]!["httpGet"]!["port"]!.ToString());

    private static (string Port, string Path, string Interval) Endpoint(JsonNode endpoint) =>
        (endpoint["port"]!.GetValue<string>(), endpoint["path"]!.GetValue<string>(), endpoint["interval"]!.GetValue<string>());

    private static void AssertSecretReference(JsonObject container, string variable, string secret, string key, bool optional)
    {
        var env = Assert.Single(container["env"]!.AsArray(), e => e!["name"]!.GetValue<string>() == variable)!;
        Assert.Null(env["value"]);
        var reference = env["valueFrom"]!["secretKeyRef"]!;
        Assert.Equal((secret, key), (reference["name"]!.GetValue<string>(), reference["key"]!.GetValue<string>()));
        // Kubernetes' default is required: an absent "optional" means the pod does not start without the Secret.
        Assert.Equal(optional ? "true" : "false", reference["optional"]?.ToString() ?? "false");
    }

    private static void AssertMetricsEnabled(Kustomize.Rendered rendered, string value)
    {
        Assert.Equal(value, rendered.Setting("brokkr-broker-config", "BROKKR__METRICS__ENABLED"));
        Assert.Equal(value, rendered.Setting("brokkr-agent-config", "BROKKR__METRICS__ENABLED"));
        foreach (var deployment in new[] { "brokkr-broker", "brokkr-agent" })
        {
            // The setting reaches the container through envFrom of its ConfigMap.
            var envFrom = rendered.Container(deployment)["envFrom"]!.AsArray();
            Assert.Contains(envFrom, e => e!["configMapRef"]?["name"]?.GetValue<string>() == $"{deployment}-config");
        }
    }

    private static void AssertNoScrapeAnnotations(Kustomize.Rendered rendered)
    {
        foreach (var deployment in new[] { "brokkr-broker", "brokkr-agent" })
        {
            var annotations = rendered.PodAnnotations(deployment);
            Assert.DoesNotContain(annotations?.Select(a => a.Key) ?? [], k => k.StartsWith("prometheus.io/", StringComparison.Ordinal));
        }
    }

    private static IEnumerable<string> Strings(JsonNode? array) => array!.AsArray().Select(v => v!.GetValue<string>());
}
