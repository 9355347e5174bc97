using System.Diagnostics;

// Placeholder launcher until the AppHost issue lands: runs the broker project and stops it on Ctrl+C.
var root = RepositoryRoot.Find();
var broker = new ProcessStartInfo("dotnet", ["run", "--project", Path.Combine(root, "Brokkr.Broker"), "--no-launch-profile"])
{
    UseShellExecute = false,
};
using var process = Process.Start(broker) ?? throw new InvalidOperationException("could not start the broker");
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    if (!process.HasExited)
    {
        process.Kill(entireProcessTree: true);
    }
};
Console.WriteLine("broker: http://localhost:3000 (health: /healthz, /readyz)");
await process.WaitForExitAsync();
return process.ExitCode;

internal static class RepositoryRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Brokkr.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Brokkr.sln not found above " + AppContext.BaseDirectory);
    }
}
