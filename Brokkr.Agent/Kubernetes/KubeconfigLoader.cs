using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Authentication;
using k8s.KubeConfigModels;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// Loads kubeconfig files with KubernetesClient (contexts, CA/certificate/key as data or files, token, basic auth,
/// exec credential plugins, OIDC auth-provider, insecure-skip-tls-verify, tls-server-name). What this adds, because
/// the package lacks it (kubectl has it):
/// <list type="bullet">
/// <item>merging a KUBECONFIG list with relative paths resolved beside the file that defined them (the package's merge
/// is internal and resolves every path beside the first file); empty files are skipped;</item>
/// <item><c>tokenFile</c> and <c>proxy-url</c>, which its model does not read;</item>
/// <item>a user with no credentials at all (a local cluster without authentication), which it rejects, and an OIDC
/// auth-provider with an id-token but no refresh token, whose id-token it drops;</item>
/// <item>a token file re-read and an exec plugin re-run after a 401 (<see cref="RenewableTokenProvider"/>);</item>
/// <item>refusing insecure-skip-tls-verify together with a certificate authority, as kubectl does.</item>
/// </list>
/// </summary>
public static class KubeconfigLoader
{
    public static KubernetesConnection Load(string path) => Load([path]);

    public static KubernetesConnection Load(IReadOnlyList<string> paths)
    {
        var source = string.Join(Path.PathSeparator, paths);
        var merged = new K8SConfiguration { Contexts = [], Clusters = [], Users = [] };
        var tokenFiles = new Dictionary<string, string?>();
        var proxies = new Dictionary<string, string?>();
        foreach (var path in paths)
        {
            var text = File.ReadAllText(path);
            if (string.IsNullOrWhiteSpace(text))
            {
                continue; // an empty file contributes nothing, as with kubectl
            }

            var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            var file = KubernetesYaml.Deserialize<K8SConfiguration>(text)
                ?? throw new InvalidDataException($"kubeconfig {path} is not a mapping");
            ResolvePaths(file, directory);
            Merge(merged, file);
            var raw = YamlJson.ParseStream(text).FirstOrDefault() as JsonObject;
            CollectFirst(raw, "users", "user", "tokenFile", tokenFiles, value => Path.Combine(directory, value));
            CollectFirst(raw, "clusters", "cluster", "proxy-url", proxies, value => value);
        }

        var contextName = merged.CurrentContext is { Length: > 0 } current ? current
            : throw new InvalidDataException($"kubeconfig {source} has no current-context");
        var context = merged.Contexts.FirstOrDefault(c => c.Name == contextName)?.ContextDetails;
        var cluster = merged.Clusters.FirstOrDefault(c => c.Name == context?.Cluster)?.ClusterEndpoint;
        if (cluster is { SkipTlsVerify: true } && (cluster.CertificateAuthority ?? cluster.CertificateAuthorityData) is not null)
        {
            throw new InvalidDataException("kubeconfig specifies both a certificate authority and insecure-skip-tls-verify");
        }

        var userName = context?.User;
        var user = merged.Users.FirstOrDefault(u => u.Name == userName)?.UserCredentials;
        if (context is not null && user is not null && !HasCredentialsThePackageReads(user))
        {
            context.User = null; // what the package rejects; kubectl sends no credentials (or the tokenFile's token)
        }

        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, contextName);
        AddCredentialsThePackageMisses(configuration, user, userName is null ? null : tokenFiles.GetValueOrDefault(userName));
        if (context?.Cluster is { } clusterName && proxies.GetValueOrDefault(clusterName) is { } proxy)
        {
            var proxyUri = new Uri(proxy);
            configuration.FirstMessageHandlerSetup = handler =>
            {
                handler.Proxy = new WebProxy(proxyUri);
                handler.UseProxy = true;
            };
        }

        return new KubernetesConnection(configuration, $"kubeconfig {source} context {contextName}");
    }

    private static void AddCredentialsThePackageMisses(KubernetesClientConfiguration configuration, UserCredentials? user,
        string? tokenFile)
    {
        if (user?.Token is null or "" && tokenFile is not null)
        {
            configuration.TokenProvider = new RenewableTokenProvider(() => new TokenFileAuth(tokenFile),
                $"cannot read the token file {tokenFile}");
        }
        else if (configuration.TokenProvider is ExecTokenProvider && user?.ExternalExecution is { } exec)
        {
            configuration.TokenProvider = new RenewableTokenProvider(() => new ExecTokenProvider(exec),
                $"the credential plugin {exec.Command} failed");
        }
        else if (user?.AuthProvider is { Name: "oidc", Config: { } oidc } && configuration.TokenProvider is null
                 && oidc.GetValueOrDefault("id-token") is { Length: > 0 } idToken)
        {
            configuration.AccessToken = idToken; // no refresh token: the package drops the id-token; kubectl sends it
        }
    }

    private static bool HasCredentialsThePackageReads(UserCredentials user) =>
        !string.IsNullOrWhiteSpace(user.Token)
        || !string.IsNullOrWhiteSpace(user.UserName) && !string.IsNullOrWhiteSpace(user.Password)
        || !string.IsNullOrWhiteSpace(user.ClientCertificateData) && !string.IsNullOrWhiteSpace(user.ClientKeyData)
        || !string.IsNullOrWhiteSpace(user.ClientCertificate) && !string.IsNullOrWhiteSpace(user.ClientKey)
        || user.AuthProvider is { Name: not "oidc" } // azure and gcp: the package explains which plugin replaced them
        || user.AuthProvider?.Config is { } oidc && new[] { "client-id", "idp-issuer-url", "id-token", "refresh-token" }.All(oidc.ContainsKey)
        || user.ExternalExecution is not null;

    /// <summary>Makes a file's relative paths absolute against its own directory, so the merge keeps them right.</summary>
    private static void ResolvePaths(K8SConfiguration file, string directory)
    {
        string? Resolve(string? path) => string.IsNullOrEmpty(path) ? path : Path.Combine(directory, path);
        foreach (var cluster in file.Clusters ?? [])
        {
            if (cluster.ClusterEndpoint is { } endpoint)
            {
                endpoint.CertificateAuthority = Resolve(endpoint.CertificateAuthority);
            }
        }

        foreach (var user in file.Users ?? [])
        {
            if (user.UserCredentials is not { } credentials)
            {
                continue;
            }

            credentials.ClientCertificate = Resolve(credentials.ClientCertificate);
            credentials.ClientKey = Resolve(credentials.ClientKey);
            if (credentials.ExternalExecution is { Command: { } command } exec && command.Contains('/'))
            {
                exec.Command = Resolve(command); // kubectl: a command with a path separator is relative to the file
            }
        }
    }

    /// <summary>kubectl's rules: the first file to set current-context wins, and so does the first to define a name.</summary>
    private static void Merge(K8SConfiguration merged, K8SConfiguration file)
    {
        merged.CurrentContext ??= string.IsNullOrEmpty(file.CurrentContext) ? null : file.CurrentContext;
        merged.Contexts = First(merged.Contexts, file.Contexts, c => c.Name);
        merged.Clusters = First(merged.Clusters, file.Clusters, c => c.Name);
        merged.Users = First(merged.Users, file.Users, u => u.Name);
    }

    private static List<T> First<T>(IEnumerable<T> kept, IEnumerable<T>? added, Func<T, string> name) =>
        [.. kept, .. (added ?? []).Where(a => kept.All(k => name(k) != name(a)))];

    /// <summary>
    /// Reads a key the package's model drops (e.g. users[].user.tokenFile) from entries whose name no earlier file
    /// defined: null when the winning definition lacks it.
    /// </summary>
    private static void CollectFirst(JsonObject? file, string list, string body, string key, Dictionary<string, string?> found,
        Func<string, string> resolve)
    {
        foreach (var item in file?[list] as JsonArray ?? [])
        {
            if (item?["name"]?.GetValue<string>() is { } name)
            {
                found.TryAdd(name, item[body]?[key]?.GetValue<string>() is { Length: > 0 } value ? resolve(value) : null);
            }
        }
    }
}
