using Brokkr.Agent.Kubernetes;

namespace Brokkr.Tests.Agent;

/// <summary>kubeconfig first; the in-cluster service account when the kubeconfig is missing or unusable.</summary>
public sealed class KubernetesConnectionResolverTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("brokkr-resolver-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly Func<string, string?> NotInCluster = _ => null;

    private Func<string, string?> InCluster() => name => name switch
    {
        "KUBERNETES_SERVICE_HOST" => "10.96.0.1",
        "KUBERNETES_SERVICE_PORT" => "443",
        _ => null,
    };

    [Fact]
    public void A_loadable_kubeconfig_wins()
    {
        var path = Path.Combine(_directory, "config");
        File.WriteAllText(path, """
            apiVersion: v1
            kind: Config
            current-context: c
            contexts: [{name: c, context: {cluster: k, user: u}}]
            clusters: [{name: k, cluster: {server: "http://127.0.0.1:6443"}}]
            users: [{name: u, user: {token: t}}]
            """);

        var connection = KubernetesConnectionResolver.Resolve([path], InCluster(), _directory);

        Assert.Equal(new Uri("http://127.0.0.1:6443"), connection.Server);
        Assert.Equal("t", connection.Configuration.AccessToken);
    }

    [Fact]
    public async Task A_missing_or_broken_kubeconfig_falls_back_to_the_service_account()
    {
        File.WriteAllText(Path.Combine(_directory, "token"), "sa-token");
        var broken = Path.Combine(_directory, "broken");
        File.WriteAllText(broken, "apiVersion: v1\nkind: Config\n");

        foreach (var path in new[] { Path.Combine(_directory, "missing"), broken })
        {
            var connection = KubernetesConnectionResolver.Resolve([path], InCluster(), _directory);
            Assert.Equal(new Uri("https://10.96.0.1:443"), connection.Server);
            var header = await connection.Configuration.TokenProvider.GetAuthenticationHeaderAsync(default);
            Assert.Equal("sa-token", header.Parameter);
        }
    }

    [Fact]
    public void Without_either_the_error_names_both()
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => KubernetesConnectionResolver.Resolve([Path.Combine(_directory, "missing")], NotInCluster, _directory));

        Assert.Contains("no kubeconfig at", error.Message);
        Assert.Contains("KUBERNETES_SERVICE_HOST", error.Message);
    }
}
