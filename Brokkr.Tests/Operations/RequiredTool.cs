using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

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

    public static string Chromium => Find("chromium",
        "chromium is required for the Aspire dashboard's browser test: install the Debian package 'chromium' " +
        "(apt-get install -y chromium; scripts/prerequisites.sh --tests does it for you).");

    /// <summary>
    /// kubectl 1.24 or newer: its built-in kustomize (v4.5.4 from 1.24 on) must support components and replacements
    /// with <c>*</c> field paths, which components/scrape-interval uses; 1.21's rejects replacements altogether.
    /// </summary>
    public static string Kubectl => CheckedKubectl.Value;

    private const int KubectlMinimumMinor = 24;

    private const string KubectlHowToInstall =
        "kubectl 1.24 or newer (its built-in kustomize must support components and replacements) is required to " +
        "render deploy/kubernetes. Debian's 'kubernetes-client' package ships kubectl 1.20, which is too old: install " +
        "kubectl from https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/ (the Kubernetes project's apt " +
        "repository or the static binary) and put it on PATH. scripts/test.sh checks this before running the tests.";

    private static readonly Lazy<string> CheckedKubectl = new(() =>
    {
        var kubectl = Find("kubectl", KubectlHowToInstall);
        var minor = KubectlMinor(kubectl);
        return minor >= KubectlMinimumMinor
            ? kubectl
            : throw new InvalidOperationException($"{kubectl} is kubectl 1.{minor}. {KubectlHowToInstall}");
    });

    private static string Find(string name, string howToInstall) =>
        Resolve(name, Environment.GetEnvironmentVariable("PATH")) ?? throw new InvalidOperationException(howToInstall);

    /// <summary>The client's minor version from <c>kubectl version --client</c> ("v1.32.4", or GitVersion:"v1.20.2" from old clients).</summary>
    private static int KubectlMinor(string kubectl)
    {
        using var process = Process.Start(new ProcessStartInfo(kubectl)
        {
            ArgumentList = { "version", "--client" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"could not start {kubectl}");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var match = Regex.Match(output, @"v1\.(?<minor>\d+)");
        return match.Success
            ? int.Parse(match.Groups["minor"].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"'{kubectl} version --client' printed no version: {output}");
    }

    /// <summary>The first <paramref name="name"/> in the directories of <paramref name="path"/>, then /usr/bin and /usr/local/bin.</summary>
    internal static string? Resolve(string name, string? path) =>
        (path ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/local/bin")
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
