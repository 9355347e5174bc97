namespace Brokkr.Tests.Operations;

/// <summary>
/// Finds a command-line tool the operations tests run for real (promtool, prometheus, kubectl), or fails with a
/// message that says how to get it: these tests never pass by skipping.
/// </summary>
public static class RequiredTool
{
    public static string Promtool => Find("promtool",
        "promtool is required to check and unit-test deploy/prometheus: install the Debian package 'prometheus' " +
        "(apt-get install -y prometheus; scripts/prerequisites.sh does it for you).");

    public static string Prometheus => Find("prometheus",
        "prometheus is required to validate the Grafana dashboards' PromQL: install the Debian package 'prometheus' " +
        "(apt-get install -y prometheus; scripts/prerequisites.sh does it for you).");

    public static string Kubectl => Find("kubectl",
        "kubectl 1.21 or newer (its built-in kustomize must support components and replacements) is required to " +
        "render deploy/kubernetes. Debian's 'kubernetes-client' package ships kubectl 1.20, which is too old: install " +
        "kubectl from https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/ (the pkgs.k8s.io apt repository " +
        "or the static binary) and put it on PATH.");

    private static string Find(string name, string howToInstall) =>
        Resolve(name, Environment.GetEnvironmentVariable("PATH")) ?? throw new InvalidOperationException(howToInstall);

    /// <summary>The first <paramref name="name"/> in the directories of <paramref name="path"/>, then /usr/bin and /usr/local/bin.</summary>
    internal static string? Resolve(string name, string? path) =>
        (path ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/local/bin")
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
