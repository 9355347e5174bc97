using System.Text.Json.Nodes;
using Brokkr.Agent.Kubernetes;

namespace Brokkr.Tests.Kubernetes;

/// <summary>The agent's Kubernetes client against the stand-in over loopback HTTP.</summary>
public sealed class KubernetesClientTests : IAsyncLifetime
{
    private KubernetesStandIn.KubernetesStandIn _standIn = null!;
    private KubernetesClient _client = null!;

    public async Task InitializeAsync()
    {
        _standIn = await KubernetesStandIn.KubernetesStandIn.StartAsync();
        _client = new KubernetesClient(Connections.To(_standIn), TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _standIn.DisposeAsync();
    }

    [Fact]
    public async Task Apply_creates_then_keeps_resource_version_on_no_op_and_bumps_on_change()
    {
        var configMaps = (await _client.ResolveAsync("v1", "ConfigMap", default))!;
        var options = new ApplyOptions("brokkr-controller");

        var created = await _client.ApplyAsync(configMaps, ConfigMap("settings", "a"), options, default);
        var again = await _client.ApplyAsync(configMaps, ConfigMap("settings", "a"), options, default);
        var labelled = ConfigMap("settings", "a");
        labelled["metadata"]!["labels"] = new JsonObject { ["tier"] = "web" };
        var relabelled = await _client.ApplyAsync(configMaps, labelled, options, default);
        var changed = await _client.ApplyAsync(configMaps, ConfigMap("settings", "b"), options, default);

        Assert.True(created.Created);
        Assert.False(again.Created);
        Assert.Equal(created.ResourceVersion, again.ResourceVersion);
        Assert.True(long.Parse(relabelled.ResourceVersion!) > long.Parse(created.ResourceVersion!));
        Assert.Equal(1, relabelled.Object["metadata"]!["generation"]!.GetValue<long>());
        Assert.True(long.Parse(changed.ResourceVersion!) > long.Parse(relabelled.ResourceVersion!));
        Assert.Equal(2, changed.Object["metadata"]!["generation"]!.GetValue<long>());
        var entry = Assert.Single(changed.Object["metadata"]!["managedFields"]!.AsArray())!;
        Assert.Equal(("brokkr-controller", "Apply"), (entry["manager"]!.GetValue<string>(), entry["operation"]!.GetValue<string>()));
        Assert.Equal("b", (await _client.GetAsync(configMaps, "default", "settings", default))!["data"]!["k"]!.GetValue<string>());
    }

    [Fact]
    public async Task Dry_run_answers_like_a_create_but_persists_nothing()
    {
        var configMaps = (await _client.ResolveAsync("v1", "ConfigMap", default))!;

        var result = await _client.ApplyAsync(configMaps, ConfigMap("dry", "x"), new ApplyOptions("validation", DryRun: true), default);

        Assert.True(result.Created);
        Assert.Null(result.ResourceVersion);
        Assert.Null(await _client.GetAsync(configMaps, "default", "dry", default));
    }

    [Fact]
    public async Task Missing_namespace_and_invalid_objects_raise_typed_exceptions_carrying_the_status()
    {
        var configMaps = (await _client.ResolveAsync("v1", "ConfigMap", default))!;
        var elsewhere = ConfigMap("x", "y");
        elsewhere["metadata"]!["namespace"] = "nowhere";

        var missing = await Assert.ThrowsAsync<KubernetesNotFoundException>(() =>
            _client.ApplyAsync(configMaps, elsewhere, new ApplyOptions("m"), default));
        var invalid = await Assert.ThrowsAsync<KubernetesInvalidObjectException>(() =>
            _client.ApplyAsync(configMaps, ConfigMap("Not_Valid", "y"), new ApplyOptions("m"), default));

        Assert.Equal("namespaces \"nowhere\" not found", missing.Message);
        Assert.Equal("namespaces", missing.Status!.Details!.Kind);
        Assert.Equal(422, invalid.Status!.Code);
    }

    [Fact]
    public async Task Field_owned_by_another_manager_conflicts_without_force_and_moves_with_force()
    {
        var configMaps = (await _client.ResolveAsync("v1", "ConfigMap", default))!;
        await _client.ApplyAsync(configMaps, ConfigMap("shared", "first"), new ApplyOptions("other-tool"), default);

        var conflict = await Assert.ThrowsAsync<KubernetesConflictException>(() =>
            _client.ApplyAsync(configMaps, ConfigMap("shared", "second"), new ApplyOptions("brokkr-controller", Force: false), default));
        var forced = await _client.ApplyAsync(configMaps, ConfigMap("shared", "second"), new ApplyOptions("brokkr-controller"), default);

        Assert.Equal("Apply failed with 1 conflict: conflict with \"other-tool\": .data.k", conflict.Message);
        Assert.Equal("FieldManagerConflict", conflict.Status!.Details!.Causes![0].Reason);
        Assert.Equal("second", forced.Object["data"]!["k"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("app=web", new[] { "a" })]
    [InlineData("app==web", new[] { "a" })]
    [InlineData("app!=web", new[] { "b", "c" })]
    [InlineData("app in (web,db)", new[] { "a", "b" })]
    [InlineData("app notin (web,db)", new[] { "c" })]
    [InlineData("tier", new[] { "a", "c" })]
    [InlineData("!tier", new[] { "b" })]
    [InlineData("app=web,tier=front", new[] { "a" })]
    public async Task List_filters_with_every_label_selector_form(string selector, string[] expected)
    {
        var configMaps = (await _client.ResolveAsync("v1", "ConfigMap", default))!;
        await ApplyLabelled(configMaps, "a", new() { ["app"] = "web", ["tier"] = "front" });
        await ApplyLabelled(configMaps, "b", new() { ["app"] = "db" });
        await ApplyLabelled(configMaps, "c", new() { ["tier"] = "back" });

        var items = await _client.ListAsync(configMaps, "default", selector, default);

        Assert.Equal(expected, items.Select(i => i["metadata"]!["name"]!.GetValue<string>()));
        Assert.All(items, i => Assert.Equal(("v1", "ConfigMap"), (i["apiVersion"]!.GetValue<string>(), i["kind"]!.GetValue<string>())));
    }

    [Fact]
    public async Task Delete_with_propagation_policy_then_reports_already_gone()
    {
        var deployments = (await _client.ResolveAsync("apps/v1", "Deployment", default))!;
        await _client.ApplyAsync(deployments, new JsonObject
        {
            ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "default" },
            ["spec"] = new JsonObject { ["replicas"] = 2 },
        }, new ApplyOptions("m"), default);

        Assert.True(await _client.DeleteAsync(deployments, "default", "web", "Background", default));
        Assert.False(await _client.DeleteAsync(deployments, "default", "web", "Background", default));
        Assert.Null(await _client.GetAsync(deployments, "default", "web", default));
    }

    [Fact]
    public async Task Unknown_kind_resolves_after_its_crd_is_applied()
    {
        var crds = (await _client.ResolveAsync("apiextensions.k8s.io/v1", "CustomResourceDefinition", default))!;
        Assert.Null(await _client.ResolveAsync("example.com/v1", "Widget", default));

        await _client.ApplyAsync(crds, JsonNode.Parse(StandInFixtureTests.Crd)!.AsObject(), new ApplyOptions("m"), default);
        var widgets = await _client.ResolveAsync("example.com/v1", "Widget", default);

        Assert.Equal(("widgets", true), (widgets!.Plural, widgets.Namespaced));
    }

    [Fact]
    public async Task Server_errors_and_hangs_become_unavailable_exceptions()
    {
        _standIn.Faults.FailNext(1);
        var error = await Assert.ThrowsAsync<KubernetesUnavailableException>(() => _client.GetVersionAsync(default));
        Assert.Equal("InternalError", error.Reason);

        using var impatient = new KubernetesClient(Connections.To(_standIn), TimeSpan.FromSeconds(1));
        _standIn.Faults.HangNext(1, TimeSpan.FromSeconds(10));
        var timeout = await Assert.ThrowsAsync<KubernetesUnavailableException>(() => impatient.GetVersionAsync(default));
        Assert.Contains("timed out", timeout.Message);

        Assert.Equal("1", (await _client.GetVersionAsync(default))["major"]!.GetValue<string>());
    }

    [Fact]
    public async Task Discovery_survives_one_group_answering_503_reports_it_and_asks_again_next_time()
    {
        var observer = new OperationLog();
        using var client = new KubernetesClient(Connections.To(_standIn), TimeSpan.FromSeconds(30),
            observer, partialDiscoveryMaxAge: TimeSpan.Zero);
        _standIn.Faults.FailAll(503, "GET", "/apis/batch/");

        Assert.Null(await client.ResolveAsync("batch/v1", "Job", default));
        Assert.NotNull(await client.ResolveAsync("apps/v1", "Deployment", default));
        var partial = await client.GetPreferredResourcesAsync(default);
        var unavailable = Assert.Single(partial.Unavailable);
        Assert.Equal("batch/v1", unavailable.GroupVersion);
        Assert.Contains("unable to handle the request", unavailable.Error);
        Assert.DoesNotContain(partial.Resources, r => r.Group == "batch");
        // A sweep that lost a group counts as a failed discovery.
        Assert.Contains(("discovery", false), observer.Calls);
        Assert.DoesNotContain(("discovery", true), observer.Calls);

        _standIn.Faults.Clear();
        var complete = await client.GetPreferredResourcesAsync(default);

        Assert.Empty(complete.Unavailable);
        Assert.Contains(complete.Resources, r => r is { Group: "batch", Kind: "Job" });
        Assert.Contains(("discovery", true), observer.Calls);
    }

    [Fact]
    public async Task A_complete_sweep_is_cached()
    {
        var observer = new OperationLog();
        using var client = new KubernetesClient(Connections.To(_standIn), TimeSpan.FromSeconds(30),
            observer, partialDiscoveryMaxAge: TimeSpan.FromMinutes(5));
        await client.GetPreferredResourcesAsync(default);
        await client.GetPreferredResourcesAsync(default);
        Assert.Single(observer.Calls, c => c.Operation == "discovery");
    }

    [Fact]
    public async Task A_plain_text_404_on_a_resource_path_refreshes_discovery()
    {
        var crds = (await _client.ResolveAsync("apiextensions.k8s.io/v1", "CustomResourceDefinition", default))!;
        await _client.ApplyAsync(crds, JsonNode.Parse(StandInFixtureTests.Crd)!.AsObject(), new ApplyOptions("m"), default);
        var widgets = (await _client.ResolveAsync("example.com/v1", "Widget", default))!;
        Assert.Contains((await _client.GetPreferredResourcesAsync(default)).Resources, r => r.Kind == "Widget");

        // Someone deletes the CRD: its paths answer "404 page not found" and the cached mapping is stale.
        Assert.True(await _client.DeleteAsync(crds, null, "widgets.example.com", "Background", default));
        var gone = await Assert.ThrowsAsync<KubernetesNotFoundException>(() => _client.ListAsync(widgets, null, null, default));

        Assert.True(gone.IsPathNotServed);
        Assert.DoesNotContain((await _client.GetPreferredResourcesAsync(default)).Resources, r => r.Kind == "Widget");
    }

    private Task ApplyLabelled(ApiResource resource, string name, Dictionary<string, string> labels)
    {
        var obj = ConfigMap(name, "v");
        obj["metadata"]!["labels"] = new JsonObject(labels.Select(p => KeyValuePair.Create<string, JsonNode?>(p.Key, p.Value)));
        return _client.ApplyAsync(resource, obj, new ApplyOptions("m"), default);
    }

    internal static JsonObject ConfigMap(string name, string value) => new()
    {
        ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
        ["data"] = new JsonObject { ["k"] = value },
    };
}

/// <summary>Every operation a client reported, in order.</summary>
internal sealed class OperationLog : IKubernetesOperationObserver
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string Operation, bool Succeeded)> _calls = new();

    public IReadOnlyList<(string Operation, bool Succeeded)> Calls => [.. _calls];

    public void OnOperation(string operation, bool succeeded, TimeSpan duration) => _calls.Enqueue((operation, succeeded));
}

internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("brokkr-test-").FullName;

    public string Write(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
