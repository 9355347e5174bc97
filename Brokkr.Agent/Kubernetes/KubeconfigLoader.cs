using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// Reads a kubeconfig (current context → cluster + user): server, token / tokenFile, client certificate and key
/// (inline data or files relative to the kubeconfig), CA data or file, insecure-skip-tls-verify, tls-server-name,
/// context namespace. exec and auth-provider plugins are rejected with a clear message.
/// </summary>
public static class KubeconfigLoader
{
    public static KubernetesConnection Load(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var documents = YamlJson.ParseStream(File.ReadAllText(path));
        if (documents.Count == 0 || documents[0] is not JsonObject config)
        {
            throw new InvalidDataException($"kubeconfig {path} is empty");
        }

        var contextName = config["current-context"]?.GetValue<string>()
            ?? throw new InvalidDataException($"kubeconfig {path} has no current-context");
        var context = Named(config, "contexts", contextName, "context");
        var cluster = Named(config, "clusters", Required(context, "cluster", contextName), "cluster");
        var userName = context["user"]?.GetValue<string>();
        var user = userName is null ? new JsonObject() : Named(config, "users", userName, "user");

        if (user["exec"] is not null || user["auth-provider"] is not null)
        {
            throw new NotSupportedException(
                $"kubeconfig user '{userName}' uses an exec or auth-provider plugin, which this agent does not run; use a token or client certificate");
        }

        var server = new Uri(Required(cluster, "server", contextName));
        var insecure = cluster["insecure-skip-tls-verify"]?.GetValue<bool>() ?? false;
        var ca = ReadPem(cluster, "certificate-authority", directory);
        if (insecure && ca is not null)
        {
            throw new InvalidDataException("kubeconfig specifies both a certificate authority and insecure-skip-tls-verify");
        }

        var certPem = ReadPem(user, "client-certificate", directory);
        var keyPem = ReadPem(user, "client-key", directory);
        var tokenFile = user["tokenFile"]?.GetValue<string>();
        return new KubernetesConnection
        {
            Server = server,
            Token = user["token"]?.GetValue<string>(),
            TokenFile = tokenFile is null ? null : Path.Combine(directory, tokenFile),
            ClientCertificate = certPem is not null && keyPem is not null
                ? X509Certificate2.CreateFromPem(certPem, keyPem) : null,
            CertificateAuthorities = ca is null ? null : LoadBundle(ca),
            InsecureSkipTlsVerify = insecure,
            TlsServerName = cluster["tls-server-name"]?.GetValue<string>(),
            DefaultNamespace = context["namespace"]?.GetValue<string>() ?? "default",
            Source = $"kubeconfig {path} context {contextName}",
        };
    }

    private static X509Certificate2Collection LoadBundle(string pem)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(pem);
        return bundle;
    }

    private static JsonObject Named(JsonObject config, string list, string name, string member) =>
        config[list]?.AsArray().FirstOrDefault(e => e?["name"]?.GetValue<string>() == name)?[member] as JsonObject
        ?? throw new InvalidDataException($"kubeconfig has no {member} named '{name}'");

    private static string Required(JsonObject node, string key, string context) =>
        node[key]?.GetValue<string>() ?? throw new InvalidDataException($"kubeconfig context '{context}' lacks {key}");

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
