using System.Text;
using Brokkr.Agent.Kubernetes;

namespace Brokkr.Tests.Kubernetes;

/// <summary>
/// Every way the agent authenticates to a real cluster, against stand-ins that insist on the token: kubeconfig token,
/// token file, exec credential plugin, OIDC auth-provider, no credentials, proxy-url, and the in-cluster service account.
/// </summary>
public sealed class KubernetesAuthTests(TlsStandIns servers) : IClassFixture<TlsStandIns>, IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private KubernetesStandIn.KubernetesStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await KubernetesStandIn.KubernetesStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        await _standIn.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Kubeconfig_token_is_sent_and_a_rejected_token_is_an_access_denied_error()
    {
        _standIn.RequiredToken = "s3cret";
        var connection = KubeconfigLoader.Load(Kubeconfig("{token: s3cret}", contextNamespace: "team-a"));
        using var client = new KubernetesClient(connection, TimeSpan.FromSeconds(30));
        using var anonymous = new KubernetesClient(Connections.To(_standIn), TimeSpan.FromSeconds(30));

        Assert.Equal("team-a", connection.DefaultNamespace);
        await AssertAnswersAsync(client);
        await Assert.ThrowsAsync<KubernetesAccessDeniedException>(() => anonymous.GetVersionAsync(default));
    }

    [Fact]
    public async Task A_user_without_credentials_connects_anonymously_as_kubectl_does()
    {
        var connection = KubeconfigLoader.Load(Kubeconfig("{}"));
        using var client = new KubernetesClient(connection, TimeSpan.FromSeconds(30));

        Assert.Equal("default", connection.DefaultNamespace);
        await AssertAnswersAsync(client);
    }

    [Fact]
    public async Task A_token_file_that_rotates_is_read_again_when_the_old_token_is_refused()
    {
        var tokenFile = _directory.Write("token", "old-token\n");
        _standIn.RequiredToken = "old-token";
        using var client = new KubernetesClient(KubeconfigLoader.Load(Kubeconfig("{tokenFile: token}")), TimeSpan.FromSeconds(30));
        await AssertAnswersAsync(client);

        // The kubelet rotates the projected token; the server stops accepting the old one.
        File.WriteAllText(tokenFile, "new-token\n");
        _standIn.RequiredToken = "new-token";

        await AssertAnswersAsync(client);
        await AssertAnswersAsync(client);
    }

    [Fact]
    public async Task An_unreadable_token_file_is_a_typed_Kubernetes_error()
    {
        using var client = new KubernetesClient(KubeconfigLoader.Load(Kubeconfig("{tokenFile: gone}")), TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<KubernetesAccessDeniedException>(() => client.GetVersionAsync(default));

        Assert.Contains("cannot read the token file", error.Message);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task Exec_plugin_token_is_cached_until_its_expiry_and_the_plugin_runs_again_after_it()
    {
        // KubernetesClient renews a plugin's token 30 s before its expirationTimestamp: 37 s leaves it good for 7 s.
        _standIn.RequiredToken = "from-the-plugin";
        _directory.Write("plugin-token", "from-the-plugin");
        using var client = new KubernetesClient(KubeconfigLoader.Load(Kubeconfig(ExecUser(lifetimeSeconds: 37))), TimeSpan.FromSeconds(30));

        await AssertAnswersAsync(client);
        var runsAfterFirstRequest = PluginRuns();
        for (var i = 0; i < 5; i++)
        {
            await AssertAnswersAsync(client);
        }

        Assert.Equal(runsAfterFirstRequest, PluginRuns()); // cached: not run per request
        Assert.Contains("\"apiVersion\":\"client.authentication.k8s.io/v1\"", File.ReadAllText(Path.Combine(_directory.Path, "exec-info")));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (PluginRuns() == runsAfterFirstRequest && DateTime.UtcNow < deadline)
        {
            await AssertAnswersAsync(client);
            await Task.Delay(200);
        }

        Assert.Equal(runsAfterFirstRequest + 1, PluginRuns());
    }

    [Fact]
    public async Task Exec_plugin_runs_again_when_the_server_refuses_its_token_and_a_failing_plugin_is_access_denied()
    {
        _standIn.RequiredToken = "first";
        var pluginToken = _directory.Write("plugin-token", "first");
        using var client = new KubernetesClient(KubeconfigLoader.Load(Kubeconfig(ExecUser(lifetimeSeconds: 3600))), TimeSpan.FromSeconds(30));
        await AssertAnswersAsync(client);

        // The token is revoked long before its stated expiry; the plugin now hands out another.
        File.WriteAllText(pluginToken, "second");
        _standIn.RequiredToken = "second";
        await AssertAnswersAsync(client);

        File.Delete(pluginToken); // the plugin now fails
        _standIn.RequiredToken = "third";
        var error = await Assert.ThrowsAsync<KubernetesAccessDeniedException>(() => client.GetVersionAsync(default));
        Assert.Contains("credential plugin", error.Message);
    }

    [Fact]
    public async Task Oidc_auth_provider_refreshes_an_expired_id_token_at_the_issuer()
    {
        await using var issuer = await OidcIssuer.StartAsync(idToken: Jwt(DateTimeOffset.UtcNow.AddHours(1)));
        _standIn.RequiredToken = issuer.IdToken;
        var expired = Jwt(DateTimeOffset.UtcNow.AddHours(-1));
        var user = "{auth-provider: {name: oidc, config: {client-id: brokkr, client-secret: s, "
            + $"idp-issuer-url: \"{issuer.Url}\", id-token: \"{expired}\", refresh-token: r1}}}}}}";
        using var client = new KubernetesClient(KubeconfigLoader.Load(Kubeconfig(user)), TimeSpan.FromSeconds(30));

        await AssertAnswersAsync(client);
        await AssertAnswersAsync(client);

        Assert.Equal(["r1"], issuer.RefreshTokensSeen); // refreshed once, then cached
    }

    [Fact]
    public async Task Oidc_auth_provider_without_a_refresh_token_sends_its_id_token()
    {
        var idToken = Jwt(DateTimeOffset.UtcNow.AddHours(1));
        _standIn.RequiredToken = idToken;
        using var client = new KubernetesClient(
            KubeconfigLoader.Load(Kubeconfig($"{{auth-provider: {{name: oidc, config: {{id-token: \"{idToken}\"}}}}}}")),
            TimeSpan.FromSeconds(30));

        await AssertAnswersAsync(client);
    }

    [Fact]
    public async Task Proxy_url_carries_the_requests_to_a_server_only_the_proxy_can_reach()
    {
        // The stand-in serves absolute-form requests as an HTTP proxy receives them; the server name does not resolve.
        var path = _directory.Write("config", $$$"""
            current-context: c
            contexts: [{name: c, context: {cluster: k, user: u}}]
            clusters: [{name: k, cluster: {server: "http://kubernetes.invalid:6443", proxy-url: "{{{_standIn.BaseAddress}}}"}}]
            users: [{name: u, user: {token: t}}]
            """);
        _standIn.RequiredToken = "t";
        using var client = new KubernetesClient(KubeconfigLoader.Load(path), TimeSpan.FromSeconds(30));

        await AssertAnswersAsync(client);
    }

    [Fact]
    public async Task In_cluster_service_account_with_a_rotating_token_and_the_cluster_CA()
    {
        var server = servers.ServerOnly;
        var tokenFile = _directory.Write("token", "sa-token-1");
        _directory.Write("ca.crt", servers.Pki.AuthorityPem);
        _directory.Write("namespace", "brokkr-system\n"); // where the agent runs: not where tenants' objects go
        var environment = new Dictionary<string, string?>
        {
            ["KUBERNETES_SERVICE_HOST"] = server.BaseAddress.Host, ["KUBERNETES_SERVICE_PORT"] = server.BaseAddress.Port.ToString(),
        };
        server.RequiredToken = "sa-token-1";
        try
        {
            Assert.True(InClusterConfig.IsAvailable(environment.GetValueOrDefault));
            var connection = KubernetesConnectionResolver.Resolve([Path.Combine(_directory.Path, "no-kubeconfig")],
                environment.GetValueOrDefault, _directory.Path);
            using var client = new KubernetesClient(connection, TimeSpan.FromSeconds(30));

            Assert.Equal(("default", "in-cluster service account"), (connection.DefaultNamespace, connection.Source));
            Assert.Equal(new Uri($"https://127.0.0.1:{server.BaseAddress.Port}/"), connection.Server);
            await AssertAnswersAsync(client);

            File.WriteAllText(tokenFile, "sa-token-2");
            server.RequiredToken = "sa-token-2";
            await AssertAnswersAsync(client);
        }
        finally
        {
            server.RequiredToken = null;
        }
    }

    [Fact]
    public void In_cluster_needs_both_service_variables_and_takes_IPv6_hosts()
    {
        var environment = new Dictionary<string, string?> { ["KUBERNETES_SERVICE_HOST"] = "fd00::1", ["KUBERNETES_SERVICE_PORT"] = "443" };

        Assert.Equal("https://[fd00::1]/", InClusterConfig.Load(environment.GetValueOrDefault, _directory.Path).Server.ToString());
        Assert.False(InClusterConfig.IsAvailable(_ => null));
        Assert.False(InClusterConfig.IsAvailable(name => name == "KUBERNETES_SERVICE_HOST" ? "10.0.0.1" : null));
    }

    private string Kubeconfig(string user, string? contextNamespace = null) => _directory.Write("config", $$"""
        apiVersion: v1
        kind: Config
        current-context: test
        clusters:
        - name: standin
          cluster:
            server: {{_standIn.BaseAddress}}
        users:
        - name: tester
          user: {{user}}
        contexts:
        - name: other
          context: {cluster: nowhere, user: nobody}
        - name: test
          context: {cluster: standin, user: tester{{(contextNamespace is null ? "" : $", namespace: {contextNamespace}")}}}
        """);

    /// <summary>
    /// A kubeconfig user whose token comes from a plugin script (relative to the kubeconfig, as kubectl resolves it):
    /// it logs each run, records KUBERNETES_EXEC_INFO and prints an ExecCredential with the token in plugin-token.
    /// </summary>
    private string ExecUser(int lifetimeSeconds)
    {
        var script = _directory.Write("plugin.sh", """
            #!/bin/sh
            set -e
            here=$(dirname "$0")
            echo run >> "$here/runs"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "$here/exec-info"
            token=$(cat "$here/plugin-token")
            expiry=$(date -u -d "@$(( $(date +%s) + LIFETIME ))" +%Y-%m-%dT%H:%M:%SZ)
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' "$token" "$expiry"
            """.Replace("\r", ""));
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the plugin is a shell script");
        }

        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return "{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin.sh, interactiveMode: Never, "
            + $"env: [{{name: LIFETIME, value: \"{lifetimeSeconds}\"}}]}}}}";
    }

    private int PluginRuns()
    {
        var runs = Path.Combine(_directory.Path, "runs");
        return File.Exists(runs) ? File.ReadAllLines(runs).Length : 0;
    }

    private static async Task AssertAnswersAsync(KubernetesClient client) =>
        Assert.Equal("1", (await client.GetVersionAsync(default))["major"]!.GetValue<string>());

    /// <summary>An unsigned JWT with an expiry: enough for a client that only reads its exp claim.</summary>
    private static string Jwt(DateTimeOffset expiry)
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Part("""{"alg":"none"}""")}.{Part($$"""{"sub":"agent","exp":{{expiry.ToUnixTimeSeconds()}}}""")}.";
    }
}
