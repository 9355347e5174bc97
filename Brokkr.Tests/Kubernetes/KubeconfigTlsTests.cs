using System.Net;
using System.Text;
using Brokkr.Agent.Kubernetes;
using Brokkr.KubernetesStandIn;

namespace Brokkr.Tests.Kubernetes;

/// <summary>Two HTTPS stand-ins with certificates from a CA made for the run: one requires client certificates.</summary>
public sealed class TlsStandIns : IAsyncLifetime
{
    internal TestPki Pki { get; } = new("brokkr-test-ca");
    internal TestPki Stranger { get; } = new("some-other-ca");

    /// <summary>Certificate for 127.0.0.1; asks for a client certificate issued by <see cref="Pki"/>.</summary>
    public KubernetesStandIn.KubernetesStandIn MutualTls { get; private set; } = null!;

    /// <summary>Certificate for 127.0.0.1; no client certificate needed (authenticate with a token).</summary>
    public KubernetesStandIn.KubernetesStandIn ServerOnly { get; private set; } = null!;

    /// <summary>Certificate only for the name kubernetes.test (no IP address); no client certificate needed.</summary>
    public KubernetesStandIn.KubernetesStandIn NamedOnly { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        MutualTls = await KubernetesStandIn.KubernetesStandIn.StartAsync(new StandInOptions
        {
            Url = "https://127.0.0.1:0",
            ServerCertificate = Pki.IssueServer([], [IPAddress.Loopback]),
            ClientCertificateAuthority = Pki.Authority,
        });
        ServerOnly = await KubernetesStandIn.KubernetesStandIn.StartAsync(new StandInOptions
        {
            Url = "https://127.0.0.1:0", ServerCertificate = Pki.IssueServer([], [IPAddress.Loopback]),
        });
        NamedOnly = await KubernetesStandIn.KubernetesStandIn.StartAsync(new StandInOptions
        {
            Url = "https://127.0.0.1:0", ServerCertificate = Pki.IssueServer(["kubernetes.test"], []),
        });
    }

    public async Task DisposeAsync()
    {
        await MutualTls.DisposeAsync();
        await ServerOnly.DisposeAsync();
        await NamedOnly.DisposeAsync();
        Pki.Dispose();
        Stranger.Dispose();
    }
}

/// <summary>Every kubeconfig TLS form against a real HTTPS server: CA data and file, client certificate and key as data and files in each key encoding, insecure-skip-tls-verify, tls-server-name.</summary>
public sealed class KubeconfigTlsTests(TlsStandIns servers) : IClassFixture<TlsStandIns>, IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(ClientKeyFormat.Pkcs1Rsa)]
    [InlineData(ClientKeyFormat.Sec1Ec)]
    [InlineData(ClientKeyFormat.Pkcs8)]
    public async Task Client_certificate_key_and_CA_given_as_data_connect(ClientKeyFormat format)
    {
        var (certificate, key) = servers.Pki.IssueClient("brokkr-agent", format);

        var connection = Load(servers.MutualTls, $"certificate-authority-data: {Base64(servers.Pki.AuthorityPem)}",
            $"client-certificate-data: {Base64(certificate)}", $"client-key-data: {Base64(key)}");

        Assert.NotNull(connection.Configuration.ClientCertificateData);
        await AssertConnectsAsync(connection);
    }

    [Fact]
    public async Task Client_certificate_key_and_CA_given_as_files_beside_the_kubeconfig_connect()
    {
        var (certificate, key) = servers.Pki.IssueClient("brokkr-agent", ClientKeyFormat.Pkcs8);
        Directory.CreateDirectory(Path.Combine(_directory.Path, "pki"));
        _directory.Write("pki/ca.crt", servers.Pki.AuthorityPem);
        _directory.Write("pki/agent.crt", certificate);
        _directory.Write("pki/agent.key", key);

        await AssertConnectsAsync(Load(servers.MutualTls, "certificate-authority: pki/ca.crt",
            "client-certificate: pki/agent.crt", "client-key: pki/agent.key"));
    }

    [Fact]
    public async Task A_CA_that_did_not_issue_the_server_certificate_fails()
    {
        var (certificate, key) = servers.Pki.IssueClient("brokkr-agent", ClientKeyFormat.Pkcs8);

        await AssertFailsAsync(Load(servers.MutualTls, $"certificate-authority-data: {Base64(servers.Stranger.AuthorityPem)}",
            $"client-certificate-data: {Base64(certificate)}", $"client-key-data: {Base64(key)}"));
    }

    [Fact]
    public async Task Without_a_client_certificate_a_server_that_requires_one_refuses()
    {
        await AssertFailsAsync(Load(servers.MutualTls, $"certificate-authority-data: {Base64(servers.Pki.AuthorityPem)}", null, null));
    }

    [Fact]
    public async Task Insecure_skip_tls_verify_connects_without_a_CA()
    {
        var (certificate, key) = servers.Pki.IssueClient("brokkr-agent", ClientKeyFormat.Sec1Ec);

        await AssertConnectsAsync(Load(servers.MutualTls, "insecure-skip-tls-verify: true",
            $"client-certificate-data: {Base64(certificate)}", $"client-key-data: {Base64(key)}"));
    }

    [Fact]
    public async Task Tls_server_name_is_the_name_checked_against_the_certificate()
    {
        var ca = $"certificate-authority-data: {Base64(servers.Pki.AuthorityPem)}";

        await AssertConnectsAsync(Load(servers.NamedOnly, $"{ca}, tls-server-name: kubernetes.test", null, null));
        await AssertFailsAsync(Load(servers.NamedOnly, ca, null, null)); // 127.0.0.1 is not in the certificate
        await AssertFailsAsync(Load(servers.NamedOnly, $"{ca}, tls-server-name: wrong.test", null, null));
    }

    private KubernetesConnection Load(KubernetesStandIn.KubernetesStandIn server, string cluster, string? certificate, string? key)
    {
        var user = certificate is null ? "{}" : $"{{{certificate}, {key}}}";
        return KubeconfigLoader.Load(_directory.Write("config", $$$"""
            apiVersion: v1
            kind: Config
            current-context: tls
            contexts: [{name: tls, context: {cluster: k, user: u}}]
            clusters: [{name: k, cluster: {server: "{{{server.BaseAddress.AbsoluteUri.TrimEnd('/')}}}", {{{cluster}}} }}]
            users: [{name: u, user: {{{user}}} }]
            """));
    }

    private static async Task AssertConnectsAsync(KubernetesConnection connection)
    {
        using var client = new KubernetesClient(connection, TimeSpan.FromSeconds(10));
        Assert.Equal("1", (await client.GetVersionAsync(default))["major"]!.GetValue<string>());
    }

    private static async Task AssertFailsAsync(KubernetesConnection connection)
    {
        using var client = new KubernetesClient(connection, TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<KubernetesUnavailableException>(() => client.GetVersionAsync(default));
        Assert.IsType<HttpRequestException>(error.Transport);
    }

    private static string Base64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));
}
