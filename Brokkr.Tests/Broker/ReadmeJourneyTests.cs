using System.Text.RegularExpressions;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Tests.Broker;

/// <summary>The README's curl journey runs as written against a real broker, so the documentation cannot rot.</summary>
public sealed class ReadmeJourneyTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    /// <summary>Twice against the same database, as a reader trying it again would: the names must not clash.</summary>
    [Fact]
    public async Task The_README_journey_runs_and_ends_with_target_generator_mismatch()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "README.md"));
        var block = Regex.Match(readme, "<!-- journey -->\\s*```sh\\n(?<script>.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "README.md has no ```sh block after <!-- journey -->");

        var script = $"set -euo pipefail\nBROKKR_URL={broker.BaseAddress.ToString().TrimEnd('/')}\n{block.Groups["script"].Value}";
        for (var run = 1; run <= 2; run++)
        {
            var output = await ProcessRunner.RunAsync("bash", ["-c", script], timeout: TimeSpan.FromSeconds(60));

            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            // The agent's target state, as the jq filter prints it: exactly one object.
            Assert.Single(lines, l => Regex.IsMatch(l, "^\\{\"id\":\"[0-9a-f-]{36}\",\"yaml_checksum\":\"[0-9a-f]{64}\"\\}$"));
            Assert.Matches("\"code\":\"target_generator_mismatch\".* 403$", lines[^1]);
        }
    }
}
