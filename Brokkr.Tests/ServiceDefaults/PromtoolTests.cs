using Brokkr.Tests.Operations;

namespace Brokkr.Tests.ServiceDefaults;

public sealed class PromtoolTests
{
    [Fact]
    public void Promtool_is_taken_from_the_first_PATH_directory_that_has_it()
    {
        var directory = Directory.CreateTempSubdirectory("brokkr-path-").FullName;
        try
        {
            var fake = Path.Combine(directory, "promtool");
            File.WriteAllText(fake, "#!/bin/sh\n");

            Assert.Equal(fake, RequiredTool.Resolve("promtool", $"/nonexistent-{Guid.NewGuid():N}:{directory}:/usr/bin"));
            Assert.Null(RequiredTool.Resolve("brokkr-no-such-tool-" + Guid.NewGuid().ToString("N"), directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
