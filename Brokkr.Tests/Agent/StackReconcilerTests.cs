using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Reconcile;
using Brokkr.Tests.Kubernetes;

namespace Brokkr.Tests.Agent;

/// <summary>The reconcile engine against the Kubernetes stand-in over loopback.</summary>
public sealed class StackReconcilerTests : IAsyncLifetime
{
    private static readonly Guid AgentId = Guid.NewGuid();
    private static readonly Guid StackId = Guid.NewGuid();
    private readonly CountingObserver _observer = new();
    private readonly ListLogger _log = new();
    private KubernetesStandIn.KubernetesStandIn _standIn = null!;
    private KubernetesClient _client = null!;
    private StackReconciler _reconciler = null!;

    public async Task InitializeAsync()
    {
        _standIn = await KubernetesStandIn.KubernetesStandIn.StartAsync();
        // Partial discovery is not reused, so a group that recovers is seen at once (in the agent: the next cycle).
        _client = new KubernetesClient(Connections.To(_standIn), TimeSpan.FromSeconds(30),
            partialDiscoveryMaxAge: TimeSpan.Zero);
        _reconciler = new StackReconciler(_client,
            new ReconcileOptions { DeleteRetryBudget = TimeSpan.FromSeconds(1), DeleteRetryFirstDelay = TimeSpan.FromMilliseconds(50) },
            _observer, _log);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _standIn.DisposeAsync();
    }

    internal const string TwoObjects = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: shop}
        data: {color: blue}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec: {replicas: 2}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        """;

    /// <summary>The next revision of <see cref="TwoObjects"/>: the ConfigMap changed, the Deployment gone.</summary>
    private const string WithoutDeployment = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: shop}
        data: {color: red}
        """;

    [Fact]
    public async Task Bundle_is_applied_stamped_and_labelled_for_pruning()
    {
        var summary = await ReconcileAsync(TwoObjects, "sum-1");

        Assert.Equal(new ReconcileSummary(3, 0, 0), summary);
        var deployment = await GetAsync("apps/v1", "Deployment", "shop", "web");
        var annotations = deployment!["metadata"]!["annotations"]!;
        Assert.Equal(StackId.ToString(), annotations[BrokkrMetadata.StackAnnotation]!.GetValue<string>());
        Assert.Equal("sum-1", annotations[BrokkrMetadata.ChecksumAnnotation]!.GetValue<string>());
        Assert.Equal("sum-1", annotations[BrokkrMetadata.LastAppliedAnnotation]!.GetValue<string>());
        Assert.Equal(AgentId.ToString(), annotations[BrokkrMetadata.OwnerAnnotation]!.GetValue<string>());
        Assert.NotNull(annotations[BrokkrMetadata.DeploymentObjectAnnotation]);
        Assert.Equal(StackId.ToString(), deployment["metadata"]!["labels"]![BrokkrMetadata.StackLabel]!.GetValue<string>());
        Assert.Equal("brokkr-controller", deployment["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>());
        Assert.Equal(3, _observer.Count(ReconcileActions.Applied));
    }

    [Fact]
    public async Task Update_applies_the_changed_object_and_prunes_the_removed_one()
    {
        await ReconcileAsync(TwoObjects, "sum-1");
        var before = await GetAsync("v1", "ConfigMap", "shop", "settings");

        var summary = await ReconcileAsync(WithoutDeployment, "sum-2");

        Assert.Equal(new ReconcileSummary(2, 0, 1), summary);
        var after = await GetAsync("v1", "ConfigMap", "shop", "settings");
        Assert.Equal("red", after!["data"]!["color"]!.GetValue<string>());
        Assert.NotEqual(before!["metadata"]!["resourceVersion"]!.GetValue<string>(), after["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Null(await GetAsync("apps/v1", "Deployment", "shop", "web"));
        Assert.Equal(1, _observer.Count(ReconcileActions.Pruned));
    }

    [Fact]
    public async Task Re_applying_the_same_revision_changes_nothing()
    {
        await ReconcileAsync(TwoObjects, "sum-1");
        var version = (await GetAsync("apps/v1", "Deployment", "shop", "web"))!["metadata"]!["resourceVersion"]!.GetValue<string>();

        var summary = await ReconcileAsync(TwoObjects, "sum-1");

        Assert.Equal(new ReconcileSummary(0, 3, 0), summary);
        Assert.Equal(version, (await GetAsync("apps/v1", "Deployment", "shop", "web"))!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Removing_the_stack_prunes_everything_it_applied_but_nothing_foreign()
    {
        await ReconcileAsync(TwoObjects, "sum-1");
        var otherAgent = Guid.NewGuid();
        await ApplyRawAsync(StackObject("foreign-agent", owner: otherAgent));
        var controlled = StackObject("controlled", owner: AgentId);
        controlled["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = "rs", ["uid"] = Guid.NewGuid().ToString(),
        });
        await ApplyRawAsync(controlled);
        await ApplyRawAsync(KubernetesClientTestsConfigMap("unrelated", "shop"));

        var pruned = await _reconciler.RemoveStackAsync(StackId, AgentId, default);

        Assert.Equal(3, pruned); // ConfigMap, Deployment, Namespace
        Assert.Null(await GetAsync("apps/v1", "Deployment", "shop", "web"));
        Assert.NotNull(await GetAsync("v1", "ConfigMap", "default", "foreign-agent"));
        Assert.NotNull(await GetAsync("v1", "ConfigMap", "default", "controlled"));
        Assert.Equal("Terminating", (await GetAsync("v1", "Namespace", null, "shop"))?["status"]?["phase"]?.GetValue<string>() ?? "Terminating");
    }

    [Fact]
    public async Task An_object_managed_by_another_agent_is_not_overwritten()
    {
        var foreign = StackObject("settings", owner: Guid.NewGuid());
        foreign["metadata"]!["namespace"] = "default";
        await ApplyRawAsync(foreign);

        var error = await Assert.ThrowsAsync<ReconcileException>(() => ReconcileAsync("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {color: mine}
            """, "sum-1"));

        Assert.Contains("managed by another Brokkr agent", error.Message);
        Assert.Equal("theirs", (await GetAsync("v1", "ConfigMap", "default", "settings"))!["data"]!["color"]!.GetValue<string>());
        Assert.Equal(1, _observer.Count(ReconcileActions.Failed));
    }

    [Fact]
    public async Task An_object_created_outside_Brokkr_is_not_taken_over()
    {
        var kubectl = KubernetesClientTestsConfigMap("settings", "default");
        await ApplyRawAsync(kubectl, manager: "kubectl-client-side-apply");

        var error = await Assert.ThrowsAsync<ReconcileException>(() => ReconcileAsync("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {k: mine}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: fresh}
            """, "sum-1"));

        Assert.Contains("ConfigMap default/settings exists and is not managed by Brokkr", error.Message);
        var stored = (await GetAsync("v1", "ConfigMap", "default", "settings"))!;
        Assert.Equal("v", stored["data"]!["k"]!.GetValue<string>());
        Assert.Null(BrokkrMetadata.Annotation(stored, BrokkrMetadata.OwnerAnnotation));
        Assert.Equal("kubectl-client-side-apply", Assert.Single(stored["metadata"]!["managedFields"]!.AsArray())!["manager"]!.GetValue<string>());
        // Refused while planning, before anything of the bundle was applied.
        Assert.Null(await GetAsync("v1", "ConfigMap", "default", "fresh"));
        Assert.Equal(1, _observer.Count(ReconcileActions.Failed));
        Assert.Equal(0, _observer.Count(ReconcileActions.Applied));
    }

    [Fact]
    public async Task A_copy_of_our_manifest_made_by_someone_else_is_neither_pruned_nor_overwritten()
    {
        // kubectl get -o yaml | kubectl apply -f - under a new name: our label and annotations, someone else's object.
        await ApplyRawAsync(StackObject("copy", owner: AgentId), manager: "kubectl");

        Assert.Equal(0, await _reconciler.RemoveStackAsync(StackId, AgentId, default));
        Assert.NotNull(await GetAsync("v1", "ConfigMap", "default", "copy"));
        var error = await Assert.ThrowsAsync<ReconcileException>(() => ReconcileAsync("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: copy, namespace: default}
            """, "sum-1"));
        Assert.Contains("exists and is not managed by Brokkr", error.Message);
        Assert.Equal("theirs", (await GetAsync("v1", "ConfigMap", "default", "copy"))!["data"]!["color"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null, "team-a")]
    [InlineData("watched", "watched")]
    public async Task Objects_without_a_namespace_go_to_the_watch_namespace_else_the_kubeconfig_contexts(string? watch, string expected)
    {
        using var client = new KubernetesClient(
            Connections.To(_standIn.BaseAddress, defaultNamespace: "team-a"), TimeSpan.FromSeconds(30));
        var reconciler = new StackReconciler(client, new ReconcileOptions { WatchNamespace = watch }, _observer);

        await reconciler.ReconcileAsync(BundleParser.Parse($$"""
            apiVersion: v1
            kind: Namespace
            metadata: {name: {{expected}}}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: placed}
            """), new StackStamp(StackId, "sum-1", Guid.NewGuid(), AgentId), default);

        Assert.NotNull(await GetAsync("v1", "ConfigMap", expected, "placed"));
        Assert.Null(await GetAsync("v1", "ConfigMap", "default", "placed"));
    }

    [Fact]
    public async Task Invalid_object_fails_validation_before_anything_else_is_applied_and_new_namespaces_are_rolled_back()
    {
        var error = await Assert.ThrowsAsync<ReconcileException>(() => ReconcileAsync("""
            apiVersion: v1
            kind: Namespace
            metadata: {name: fresh}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: good, namespace: fresh}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: Bad_Name, namespace: fresh}
            """, "sum-1"));

        Assert.StartsWith("validation failed: ", error.Message);
        Assert.Contains("ConfigMap \"Bad_Name\" is invalid", error.Message);
        Assert.Null(await GetAsync("v1", "ConfigMap", "fresh", "good"));
        Assert.Equal("Terminating", (await GetAsync("v1", "Namespace", null, "fresh"))?["status"]?["phase"]?.GetValue<string>() ?? "Terminating");
    }

    [Fact]
    public async Task Unknown_kind_aborts_before_pruning()
    {
        await ReconcileAsync(TwoObjects, "sum-1");

        var error = await Assert.ThrowsAsync<ReconcileException>(() => ReconcileAsync("""
            apiVersion: example.com/v1
            kind: Gadget
            metadata: {name: g}
            """, "sum-2"));

        Assert.Contains("kind Gadget in apiVersion example.com/v1 is not served", error.Message);
        Assert.NotNull(await GetAsync("apps/v1", "Deployment", "shop", "web"));
    }

    [Fact]
    public async Task Crd_and_its_custom_resource_in_one_bundle_are_applied()
    {
        _standIn.Lifecycle.CrdEstablishDelay = TimeSpan.FromMilliseconds(300);

        await ReconcileAsync(Brokkr.Tests.Kubernetes.StandInFixtureTests.Crd.Replace("\n", " ") + """

            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w1}
            spec: {size: 3}
            """, "sum-1");

        Assert.Equal(3, (await GetAsync("example.com/v1", "Widget", "default", "w1"))!["spec"]!["size"]!.GetValue<long>());
    }

    [Fact]
    public async Task Kubernetes_server_errors_fail_the_reconcile_with_the_status_message()
    {
        _standIn.Faults.FailAll(500, "PATCH");

        var error = await Assert.ThrowsAsync<ReconcileException>(() => ReconcileAsync(TwoObjects, "sum-1"));

        Assert.Contains("Internal error occurred: injected failure", error.Message);
        Assert.Equal(1, _observer.Count(ReconcileActions.Failed));
        Assert.Equal(0, _observer.Count(ReconcileActions.Applied));
    }

    [Fact]
    public async Task Objects_of_an_undiscoverable_group_are_not_pruned_silently_and_are_pruned_once_it_answers()
    {
        await ReconcileAsync(TwoObjects, "sum-1");
        _standIn.Faults.FailAll(503, "GET", "/apis/apps/");
        _client.InvalidateDiscovery();

        var summary = await ReconcileAsync(WithoutDeployment, "sum-2");

        // The Deployment is stale but its group could not be read: kept, and said so.
        Assert.Equal(0, summary.Pruned);
        Assert.NotNull(StoredDeployment());
        Assert.Contains(_log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && e.Message.Contains("Not pruning objects of API group-version apps/v1") && e.Message.Contains(StackId.ToString()));

        _standIn.Faults.Clear();
        Assert.Equal(1, (await ReconcileAsync(WithoutDeployment, "sum-2")).Pruned);
        Assert.Null(StoredDeployment());
    }

    private JsonObject? StoredDeployment() =>
        _standIn.Store.Snapshot().Where(o => o.Plural == "deployments").Select(o => o.Object).SingleOrDefault();

    [Fact]
    public async Task Pruning_against_a_failing_API_stops_at_its_time_budget_and_counts_what_is_left_as_failed()
    {
        await ReconcileAsync(TwoObjects, "sum-1");
        // The first delete takes a second (then succeeds); every later one fails, which would be retried for minutes.
        _standIn.Faults.HangNext(1, TimeSpan.FromSeconds(1), "DELETE");
        _standIn.Faults.FailAll(500, "DELETE");
        // The spec's per-object retry budget (5 minutes) stays; the prune as a whole gets 300 ms.
        var pruner = new StackReconciler(_client, new ReconcileOptions
        {
            PruneTimeBudget = TimeSpan.FromMilliseconds(300), DeleteRetryFirstDelay = TimeSpan.FromMilliseconds(50),
        }, _observer);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<ReconcileException>(() => pruner.RemoveStackAsync(StackId, AgentId, guard.Token));

        Assert.Equal("pruning failed: 2 more not attempted: the prune time budget of 0.3 s was used up (left for the next prune)",
            error.Message);
        Assert.Equal((1, 2), (_observer.Count(ReconcileActions.Pruned), _observer.Count(ReconcileActions.Failed)));
        Assert.NotNull(await GetAsync("v1", "Namespace", null, "shop"));

        // Retries of a transient failure end at the budget too.
        _standIn.Faults.Clear();
        _standIn.Faults.FailAll(500, "DELETE");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        error = await Assert.ThrowsAsync<ReconcileException>(() => pruner.RemoveStackAsync(StackId, AgentId, guard.Token));
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Contains("Internal error occurred: injected failure", error.Message);
        Assert.Equal(4, _observer.Count(ReconcileActions.Failed));
    }

    private Task<ReconcileSummary> ReconcileAsync(string yaml, string checksum) =>
        _reconciler.ReconcileAsync(BundleParser.Parse(yaml), new StackStamp(StackId, checksum, DeploymentObjectId(checksum), AgentId), default);

    // One deployment object per checksum, as the broker would have it.
    private static Guid DeploymentObjectId(string checksum) =>
        new(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(checksum)));

    private async Task<JsonObject?> GetAsync(string apiVersion, string kind, string? ns, string name) =>
        await _client.GetAsync((await _client.ResolveAsync(apiVersion, kind, default))!, ns, name, default);

    private async Task ApplyRawAsync(JsonObject obj, string manager = "someone-else") =>
        await _client.ApplyAsync((await _client.ResolveAsync(obj["apiVersion"]!.GetValue<string>(), obj["kind"]!.GetValue<string>(), default))!,
            obj, new ApplyOptions(manager), default);

    /// <summary>A ConfigMap carrying this stack's label and annotation but the given owner.</summary>
    private static JsonObject StackObject(string name, Guid owner) => new()
    {
        ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject
        {
            ["name"] = name, ["namespace"] = "default",
            ["labels"] = new JsonObject { [BrokkrMetadata.StackLabel] = StackId.ToString() },
            ["annotations"] = new JsonObject
            {
                [BrokkrMetadata.StackAnnotation] = StackId.ToString(), [BrokkrMetadata.OwnerAnnotation] = owner.ToString(),
                [BrokkrMetadata.ChecksumAnnotation] = "old",
            },
        },
        ["data"] = new JsonObject { ["color"] = "theirs" },
    };

    private static JsonObject KubernetesClientTestsConfigMap(string name, string ns)
    {
        var obj = Brokkr.Tests.Kubernetes.KubernetesClientTests.ConfigMap(name, "v");
        obj["metadata"]!["namespace"] = ns;
        return obj;
    }
}

internal sealed class CountingObserver : IReconcileObserver
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public void OnObject(string action) => _counts.AddOrUpdate(action, 1, (_, n) => n + 1);

    public int Count(string action) => _counts.GetValueOrDefault(action);
}
