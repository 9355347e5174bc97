namespace Brokkr.Tests.AppHost.Testing;

/// <summary>The folder holding Brokkr.sln: the root of the checkout the tests were built from.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Brokkr.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Brokkr.sln not found above " + AppContext.BaseDirectory);
    }
}
