using System.Globalization;

namespace Brokkr.AppHost.Hosting;

/// <summary>
/// One AppHost per data folder: a second one would share the PostgreSQL cluster and take the first one's processes for
/// leftovers to stop. Held as an exclusive lock on <c>&lt;data&gt;/apphost.lock</c>, which the kernel releases however the
/// AppHost ends; <c>apphost.pid</c> beside it names the holder.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var pidFile = Path.Combine(dataDirectory, "apphost.pid");
        try
        {
            var file = new FileStream(Path.Combine(dataDirectory, "apphost.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            return new DataDirectoryLock(file);
        }
        catch (IOException)
        {
            var holder = File.Exists(pidFile) ? File.ReadAllText(pidFile).Trim() : "?";
            throw new InvalidOperationException(
                $"another AppHost (pid {holder}) is running with the data folder {dataDirectory}: stop it first, " +
                "or give this one its own folder with --AppHost:DataDirectory=<path>");
        }
    }

    public void Dispose() => _file.Dispose();
}
