using Brokkr.Agent.Kubernetes;

namespace Brokkr.Tests.Kubernetes;

/// <summary>The client's discovery parsers against the recorded documents.</summary>
public sealed class DiscoveryParsingTests
{
    [Fact]
    public void Legacy_core_resource_list_maps_kinds_to_plurals_and_scopes_and_skips_subresources()
    {
        var resources = DiscoveryDocuments.ParseResourceList(Fixtures.Json("discovery-api-v1.json"));

        var configMaps = Assert.Single(resources, r => r.Kind == "ConfigMap");
        Assert.Equal(("", "v1", "configmaps", true), (configMaps.Group, configMaps.Version, configMaps.Plural, configMaps.Namespaced));
        Assert.False(Assert.Single(resources, r => r.Kind == "Namespace").Namespaced);
        Assert.Equal("endpoints", Assert.Single(resources, r => r.Kind == "Endpoints").Plural);
        Assert.DoesNotContain(resources, r => r.Plural.Contains('/'));
        Assert.Contains("patch", configMaps.Verbs);
        Assert.Equal("/api/v1/namespaces/ns1/configmaps/x", configMaps.ObjectPath("ns1", "x"));
    }

    [Fact]
    public void Legacy_group_resource_list_carries_its_group_version()
    {
        var resources = DiscoveryDocuments.ParseResourceList(Fixtures.Json("discovery-apis-apps-v1.json"));

        var deployments = Assert.Single(resources, r => r.Kind == "Deployment");
        Assert.Equal("apps/v1", deployments.ApiVersion);
        Assert.Equal("/apis/apps/v1/namespaces/web/deployments", deployments.CollectionPath("web"));
        Assert.Equal("/apis/apps/v1/deployments", deployments.CollectionPath(null));
        Assert.Equal(5, resources.Count); // controllerrevisions, daemonsets, deployments, replicasets, statefulsets
    }

    [Fact]
    public void Legacy_group_list_marks_preferred_versions()
    {
        var versions = DiscoveryDocuments.ParseGroupList(Fixtures.Json("discovery-apis.json"));

        Assert.Contains(("apps", "v1", true), versions);
        Assert.Contains(("autoscaling", "v2", true), versions);
        Assert.Contains(("autoscaling", "v1", false), versions);
    }

    [Fact]
    public void Aggregated_document_is_recognised_and_parsed_with_first_version_preferred()
    {
        var document = Fixtures.Json("discovery-aggregated-v2.json");
        Assert.True(DiscoveryDocuments.IsAggregated(document));
        Assert.False(DiscoveryDocuments.IsAggregated(Fixtures.Json("discovery-apis.json")));

        var groups = DiscoveryDocuments.ParseAggregated(document);

        var apps = Assert.Single(groups, g => g.Group == "apps");
        var deployments = Assert.Single(apps.Resources, r => r.Kind == "Deployment");
        Assert.Equal(("deployments", true), (deployments.Plural, deployments.Namespaced));
        var crds = groups.Single(g => g.Group == "apiextensions.k8s.io").Resources.Single();
        Assert.Equal(("customresourcedefinitions", false), (crds.Plural, crds.Namespaced));
        var autoscaling = groups.Where(g => g.Group == "autoscaling").ToList();
        Assert.Equal(["v2", "v1"], autoscaling.Select(g => g.Version));
        Assert.Equal([true, false], autoscaling.Select(g => g.Preferred));
    }

    [Fact]
    public void Api_versions_split_on_the_first_slash()
    {
        Assert.Equal(("", "v1"), ApiResource.SplitApiVersion("v1"));
        Assert.Equal(("apps", "v1"), ApiResource.SplitApiVersion("apps/v1"));
        Assert.Equal(("a.example.com", "v1beta1"), ApiResource.SplitApiVersion("a.example.com/v1beta1"));
    }
}
