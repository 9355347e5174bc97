namespace Brokkr.Tests.AppHost.Testing;

/// <summary>
/// Aspire keeps state under $HOME (~/.aspire, ~/.dcp, dev certificates): the AppHost tests, and DCP and the services
/// they start, get a throwaway HOME for the test run, so concurrent runs and the developer's own AppHost never share it.
/// NuGet's package folder stays where it was: the services are started with <c>dotnet run --no-build</c>, which reads it.
/// </summary>
public static class IsolatedHome
{
    private static readonly Lazy<string> Home = new(Create);

    public static string Ensure() => Home.Value;

    private static string Create()
    {
        var original = Environment.GetEnvironmentVariable("HOME") ?? "/root";
        Environment.SetEnvironmentVariable("NUGET_PACKAGES",
            Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(original, ".nuget", "packages"));
        Environment.SetEnvironmentVariable("DOTNET_CLI_HOME", Environment.GetEnvironmentVariable("DOTNET_CLI_HOME") ?? original);
        Environment.SetEnvironmentVariable("DOTNET_NOLOGO", "1");
        var home = Path.Combine(Path.GetTempPath(), "brokkr-test-home-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(home);
        Environment.SetEnvironmentVariable("HOME", home);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(home, recursive: true);
            }
            catch (IOException)
            {
                // DCP may still be writing its last log; the folder is under the temp folder anyway.
            }
        };
        return home;
    }
}
