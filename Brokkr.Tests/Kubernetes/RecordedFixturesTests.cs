using System.Diagnostics;
using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Fixtures;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Tests.Kubernetes;

/// <summary>The stand-in carries its recorded responses inside its assembly, so it needs no source checkout.</summary>
public sealed class RecordedFixturesTests
{
    private static readonly string SourceFolder = Path.Combine(RepositoryRoot.Path, "Brokkr.KubernetesStandIn", "Fixtures");

    [Fact]
    public void Every_recorded_file_is_embedded_byte_for_byte()
    {
        var files = Directory.GetFiles(SourceFolder, "*.json").Select(Path.GetFileName).Order().ToList();

        Assert.Contains("discovery-aggregated-v2.json", files);
        Assert.Equal(files, RecordedFixtures.EmbeddedNames.Order());
        foreach (var file in files)
        {
            Assert.Equal(File.ReadAllText(Path.Combine(SourceFolder, file!)), RecordedFixtures.Embedded.Text(file!));
        }
    }

    [Fact]
    public void A_name_that_was_not_recorded_is_a_clear_error()
    {
        var error = Assert.Throws<FileNotFoundException>(() => RecordedFixtures.Embedded.Text("discovery-apis-batch-v1.json"));
        Assert.Contains("discovery-apis-batch-v1.json", error.Message);
    }

    [Fact]
    public async Task A_fixtures_folder_replaces_the_embedded_recordings()
    {
        var folder = Directory.CreateTempSubdirectory("brokkr-fixtures-").FullName;
        try
        {
            foreach (var file in RecordedFixtures.EmbeddedNames)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, file), RecordedFixtures.Embedded.Text(file));
            }
            var versions = RecordedFixtures.Embedded.Json("discovery-api.json");
            versions["versions"] = new JsonArray("v1", "v2alpha1");
            await File.WriteAllTextAsync(Path.Combine(folder, "discovery-api.json"), versions.ToJsonString());

            await using var standIn = await KubernetesStandIn.KubernetesStandIn.StartAsync(new() { FixturesPath = folder });
            using var http = new HttpClient { BaseAddress = standIn.BaseAddress };

            var served = JsonNode.Parse(await http.GetStringAsync("/api"))!;
            Assert.Equal(["v1", "v2alpha1"], served["versions"]!.AsArray().Select(v => v!.GetValue<string>()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_fixtures_folder_fails_the_start_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"brokkr-no-fixtures-{Guid.NewGuid():N}");

        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() =>
            KubernetesStandIn.KubernetesStandIn.StartAsync(new() { FixturesPath = missing }));
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public async Task The_published_stand_in_serves_the_recorded_discovery_alone_in_an_empty_folder()
    {
        var output = Directory.CreateTempSubdirectory("brokkr-standin-publish-").FullName;
        try
        {
            await PublishStandInAsync(output);
            Assert.False(Directory.Exists(Path.Combine(output, "Fixtures")), "the fixtures must be embedded, not copied beside the binaries");

            await using var standIn = await ServiceProcess.StartAsync(
                "Brokkr.KubernetesStandIn", new Dictionary<string, string?>(), readyPath: "/version", directory: output);
            using var http = standIn.CreateClient();

            var served = JsonNode.Parse(await http.GetStringAsync("/api/v1"))!;
            Assert.True(JsonNode.DeepEquals(Fixtures.Json("discovery-api-v1.json"), served));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary><c>dotnet publish --no-build</c> of the stand-in as the tests built it (same configuration).</summary>
    private static async Task PublishStandInAsync(string output)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        var startInfo = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                "publish", Path.Combine(RepositoryRoot.Path, "Brokkr.KubernetesStandIn"), "--no-build", "--nologo",
                "-c", configuration, "-o", output,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dotnet publish failed:\n{await stdout}\n{await stderr}");
    }
}
