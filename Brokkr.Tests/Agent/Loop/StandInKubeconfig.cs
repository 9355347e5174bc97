namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// A kubeconfig file (plain http server, bearer token) pointing at a Kubernetes stand-in; deleted on dispose. With
/// <paramref name="tokenFile"/> the token is in a file beside it (tokenFile, relative), as a projected token would be.
/// </summary>
public sealed class StandInKubeconfig : IDisposable
{
    public StandInKubeconfig(Uri server, string token, bool tokenFile = false)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("brokkr-agent-kubeconfig-").FullName;
        Path = System.IO.Path.Combine(Directory, "config");
        TokenFile = System.IO.Path.Combine(Directory, "token");
        if (tokenFile)
        {
            File.WriteAllText(TokenFile, token);
        }

        var user = tokenFile ? "{tokenFile: token}" : $"{{token: \"{token}\"}}";
        File.WriteAllText(Path, $$"""
            apiVersion: v1
            kind: Config
            current-context: stand-in
            contexts:
            - name: stand-in
              context: {cluster: stand-in, user: agent, namespace: default}
            clusters:
            - name: stand-in
              cluster: {server: "{{server.AbsoluteUri.TrimEnd('/')}}"}
            users:
            - name: agent
              user: {{user}}
            """);
    }

    public string Directory { get; }

    public string Path { get; }

    /// <summary>Where the token file is (when the kubeconfig uses one).</summary>
    public string TokenFile { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
