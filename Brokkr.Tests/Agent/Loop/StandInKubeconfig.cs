namespace Brokkr.Tests.Agent.Loop;

/// <summary>A kubeconfig file (plain http server, bearer token) pointing at a Kubernetes stand-in; deleted on dispose.</summary>
public sealed class StandInKubeconfig : IDisposable
{
    public StandInKubeconfig(Uri server, string token)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("brokkr-agent-kubeconfig-").FullName;
        Path = System.IO.Path.Combine(Directory, "config");
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
              user: {token: "{{token}}"}
            """);
    }

    public string Directory { get; }

    public string Path { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
