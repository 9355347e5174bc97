namespace Brokkr.AppHost;

/// <summary>Where run-mode state lives, and files in it only their owner may read.</summary>
internal static class AppHostData
{
    /// <summary>
    /// Run-mode state that survives restarts (PostgreSQL data and password, Prometheus data, the agent's PAK):
    /// <c>AppHost:DataDirectory</c>, by default <c>.brokkr/</c> beside the solution.
    /// </summary>
    public static string Directory(this IDistributedApplicationBuilder builder) =>
        Path.GetFullPath(builder.Configuration["AppHost:DataDirectory"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(builder.AppHostDirectory, "..", ".brokkr"));

    public static void WriteOwnerOnly(string path, string contents)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (File.Create(path))
        {
        }

        // Restricted before anything secret is in it.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(path, contents);
    }
}
