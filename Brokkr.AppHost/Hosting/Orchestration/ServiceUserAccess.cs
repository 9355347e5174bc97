namespace Brokkr.AppHost.Hosting;

/// <summary>
/// Whether a service user (PostgreSQL's, as root) can reach a folder: the kernel lets it enter a path only if it may
/// search every folder on the way, and a data folder under a home such as /root (mode 700) fails initdb with a bare
/// "permission denied". Found up front, the user is told which folder blocks and what to do; the AppHost never changes
/// the permissions of the user's folders itself.
/// </summary>
internal static class ServiceUserAccess
{
    /// <summary>
    /// The first folder, from / down to <paramref name="folder"/> (or its deepest existing parent), that
    /// <paramref name="canEnter"/> refuses; null when it can be reached. One probe when it can: entering the deepest folder
    /// succeeds only if every folder above it may be searched.
    /// </summary>
    public static async Task<string?> FirstBlockedFolderAsync(string folder, Func<string, Task<bool>> canEnter)
    {
        var path = new List<string>();
        for (var dir = new DirectoryInfo(Path.GetFullPath(folder)); dir is not null; dir = dir.Parent)
        {
            path.Insert(0, dir.FullName);
        }

        path.RemoveAll(p => !Directory.Exists(p));
        if (path.Count == 0 || await canEnter(path[^1]))
        {
            return null;
        }

        foreach (var dir in path)
        {
            if (!await canEnter(dir))
            {
                return dir;
            }
        }

        return path[^1];
    }

    /// <summary>Fails with what to do when <paramref name="user"/> cannot reach <paramref name="folder"/>.</summary>
    public static async Task EnsureReachableAsync(string folder, string user, string purpose, Func<string, Task<bool>> canEnter)
    {
        if (await FirstBlockedFolderAsync(folder, canEnter) is not { } blocked)
        {
            return;
        }

        var mode = OperatingSystem.IsWindows() ? "" : $" (mode {Convert.ToString((int)File.GetUnixFileMode(blocked), 8).PadLeft(3, '0')})";
        throw new InvalidOperationException(
            $"{purpose} runs as the '{user}' user, which cannot enter {blocked}{mode} on the way to {folder}. Give the AppHost a " +
            $"data folder it can reach, e.g. --AppHost:DataDirectory=/var/tmp/brokkr, or let it through yourself (e.g. " +
            $"setfacl -m u:{user}:x {blocked}); the AppHost does not change the permissions of your folders.");
    }

    /// <summary>Asks the kernel: <c>test -x</c> run as <paramref name="user"/> (or as this process when null).</summary>
    public static Func<string, Task<bool>> Probe(string? user) => async folder =>
    {
        try
        {
            await CommandRunner.RunAsync("test", ["-x", folder], user, TimeSpan.FromSeconds(10));
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    };
}
