namespace Brokkr.AppHost.Hosting;

internal static class FilePermissions
{
    /// <summary>Secrets (passwords, PAKs) and PostgreSQL's data folder: readable by their owner only.</summary>
    public static void OwnerOnly(string path, bool directory = false)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | (directory ? UnixFileMode.UserExecute : UnixFileMode.None);
        File.SetUnixFileMode(path, mode);
    }
}
