using Brokkr.Agent.Kubernetes;

namespace Brokkr.Tests.Kubernetes;

/// <summary>Several kubeconfig files (a KUBECONFIG list) merged by kubectl's rules.</summary>
public sealed class KubeconfigMergeTests : IDisposable
{
    private readonly TempDirectory _first = new();
    private readonly TempDirectory _second = new();

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    [Fact]
    public async Task First_file_to_set_a_value_wins_and_paths_resolve_beside_the_file_that_defined_them()
    {
        _first.Write("token", "from-the-first-folder\n");
        _second.Write("token", "from-the-second-folder\n");
        // No current-context here; its context and user win over later definitions of the same names.
        var a = _first.Write("a", """
            contexts: [{name: work, context: {cluster: k, user: u, namespace: team-a}}]
            users: [{name: u, user: {tokenFile: token}}]
            """);
        var b = _second.Write("b", """
            current-context: work
            clusters: [{name: k, cluster: {server: "http://first.example:6443"}}]
            contexts: [{name: work, context: {cluster: other, user: nobody}}]
            users: [{name: u, user: {token: later}}]
            """);
        var c = _second.Write("c", """
            current-context: elsewhere
            clusters: [{name: k, cluster: {server: "http://second.example:6443"}}]
            """);

        var connection = KubeconfigLoader.Load([a, b, c]);

        Assert.Equal(new Uri("http://first.example:6443"), connection.Server);
        var header = await connection.Configuration.TokenProvider.GetAuthenticationHeaderAsync(default);
        Assert.Equal(("Bearer", "from-the-first-folder"), (header.Scheme, header.Parameter));
        Assert.Null(connection.Configuration.AccessToken);
        Assert.Equal("team-a", connection.DefaultNamespace);
        Assert.Contains("context work", connection.Source);
    }

    [Fact]
    public void The_resolver_merges_the_files_that_exist_and_skips_missing_ones()
    {
        var a = _first.Write("a", "current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\n");
        var b = _second.Write("b", "clusters: [{name: k, cluster: {server: \"http://merged.example\"}}]\n");

        var connection = KubernetesConnectionResolver.Resolve([Path.Combine(_first.Path, "missing"), a, b], _ => null);

        Assert.Equal(new Uri("http://merged.example"), connection.Server);
        Assert.Equal("default", connection.DefaultNamespace);
    }
}
