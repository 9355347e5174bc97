using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// Reads kubeconfig files (current context → cluster + user): server, token / tokenFile, client certificate and key
/// (inline data or files relative to the kubeconfig that defines them), CA data or file, insecure-skip-tls-verify,
/// tls-server-name, context namespace. Several files merge as kubectl merges a KUBECONFIG list: the first file to set
/// current-context wins, and so does the first to define a cluster, user or context of a given name.
/// exec and auth-provider plugins are rejected with a clear message.
/// </summary>
public static class KubeconfigLoader
{
    public static KubernetesConnection Load(string path) => Load([path]);

    public static KubernetesConnection Load(IReadOnlyList<string> paths)
    {
        var source = string.Join(Path.PathSeparator, paths);
        string? contextName = null;
        var entries = new Dictionary<string, Dictionary<string, Entry>>
        {
            ["contexts"] = [], ["clusters"] = [], ["users"] = [],
        };
        foreach (var path in paths)
        {
            var documents = YamlJson.ParseStream(File.ReadAllText(path));
            if (documents.Count == 0)
            {
                continue; // an empty file contributes nothing, as with kubectl
            }

            if (documents[0] is not JsonObject config)
            {
                throw new InvalidDataException($"kubeconfig {path} is not a mapping");
            }

            contextName ??= NonEmpty(config["current-context"]?.GetValue<string>());
            var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
            foreach (var (list, named) in entries)
            {
                foreach (var item in config[list]?.AsArray() ?? [])
                {
                    if (item?["name"]?.GetValue<string>() is { } name)
                    {
                        named.TryAdd(name, new Entry(item[list[..^1]] as JsonObject ?? new JsonObject(), directory));
                    }
                }
            }
        }

        if (contextName is null)
        {
            throw new InvalidDataException($"kubeconfig {source} has no current-context");
        }

        var context = Named(entries, "contexts", contextName).Value;
        var (cluster, clusterDirectory) = Named(entries, "clusters", Required(context, "cluster", contextName));
        var userName = context["user"]?.GetValue<string>();
        var (user, userDirectory) = userName is null ? new Entry(new JsonObject(), ".") : Named(entries, "users", userName);

        if (user["exec"] is not null || user["auth-provider"] is not null)
        {
            throw new NotSupportedException(
                $"kubeconfig user '{userName}' uses an exec or auth-provider plugin, which this agent does not run; use a token or client certificate");
        }

        var server = new Uri(Required(cluster, "server", contextName));
        var insecure = cluster["insecure-skip-tls-verify"]?.GetValue<bool>() ?? false;
        var ca = ReadPem(cluster, "certificate-authority", clusterDirectory);
        if (insecure && ca is not null)
        {
            throw new InvalidDataException("kubeconfig specifies both a certificate authority and insecure-skip-tls-verify");
        }

        var certPem = ReadPem(user, "client-certificate", userDirectory);
        var keyPem = ReadPem(user, "client-key", userDirectory);
        var tokenFile = user["tokenFile"]?.GetValue<string>();
        return new KubernetesConnection
        {
            Server = server,
            Token = user["token"]?.GetValue<string>(),
            TokenFile = tokenFile is null ? null : Path.Combine(userDirectory, tokenFile),
            ClientCertificate = certPem is not null && keyPem is not null
                ? X509Certificate2.CreateFromPem(certPem, keyPem) : null,
            CertificateAuthorities = ca is null ? null : LoadBundle(ca),
            InsecureSkipTlsVerify = insecure,
            TlsServerName = cluster["tls-server-name"]?.GetValue<string>(),
            DefaultNamespace = NonEmpty(context["namespace"]?.GetValue<string>()) ?? "default",
            Source = $"kubeconfig {source} context {contextName}",
        };
    }

    /// <summary>A cluster, user or context body with the directory of the file that defined it.</summary>
    private sealed record Entry(JsonObject Value, string Directory);

    private static X509Certificate2Collection LoadBundle(string pem)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(pem);
        return bundle;
    }

    private static Entry Named(Dictionary<string, Dictionary<string, Entry>> entries, string list, string name) =>
        entries[list].GetValueOrDefault(name)
        ?? throw new InvalidDataException($"kubeconfig has no {list[..^1]} named '{name}'");

    private static string Required(JsonObject node, string key, string context) =>
        node[key]?.GetValue<string>() ?? throw new InvalidDataException($"kubeconfig context '{context}' lacks {key}");

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>Reads "<key>-data" (base64 PEM) or "<key>" (a path relative to the kubeconfig).</summary>
    private static string? ReadPem(JsonObject node, string key, string directory)
    {
        if (node[$"{key}-data"]?.GetValue<string>() is { } data)
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(data));
        }

        return node[key]?.GetValue<string>() is { } file ? File.ReadAllText(Path.Combine(directory, file)) : null;
    }
}
