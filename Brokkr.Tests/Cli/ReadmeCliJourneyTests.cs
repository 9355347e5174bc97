using System.Diagnostics;
using System.Text.RegularExpressions;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Broker;
using Npgsql;

namespace Brokkr.Tests.Cli;

/// <summary>
/// The README's command-line journey runs as written, both programs as real processes (their real entry points and
/// exit codes) against a real broker and its database.
/// </summary>
public sealed class ReadmeCliJourneyTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    [Fact]
    public async Task The_README_CLI_journey_applies_once_then_is_unchanged_and_registers_the_agent()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "README.md"));
        var block = Regex.Match(readme, "<!-- cli-journey -->\\s*```sh\\n(?<script>.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "README.md has no ```sh block after <!-- cli-journey -->");

        var output = AppContext.BaseDirectory;
        var script = string.Join('\n',
            "set -euo pipefail",
            $"BROKKR_URL={broker.BaseAddress.ToString().TrimEnd('/')}",
            $"brokkr-broker() {{ dotnet \"{Path.Combine(output, "Brokkr.Broker.dll")}\" \"$@\"; }}",
            $"brokkr() {{ dotnet \"{Path.Combine(output, "brokkr.dll")}\" \"$@\"; }}",
            block.Groups["script"].Value);
        var home = Directory.CreateTempSubdirectory("brokkr-readme-home-").FullName;
        CommandResult run;
        try
        {
            run = await BashAsync(script, new Dictionary<string, string>
            {
                ["ConnectionStrings__brokkr"] = new NpgsqlConnectionStringBuilder(broker.ConnectionString) { Pooling = false }.ConnectionString,
                ["HOME"] = home,
            });
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }

        Assert.True(run.ExitCode == 0, $"the journey failed with {run.ExitCode}:\n{run.Output}");
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^created stack \"payments-[0-9-]+\": first revision \\(sequence \\d+\\)$", lines[0]);
        Assert.Equal("unchanged", lines[1]);
        Assert.Matches("^registered agent [0-9a-f-]{36} with generator [0-9a-f-]{36}$", lines[2]);
        var agentId = lines[2].Split(' ')[2];
        Assert.Equal("AGENT                                 REGISTERED", lines[3]);
        Assert.StartsWith(agentId, lines[4]);
        // Progress went to stderr, PAKs nowhere.
        Assert.Contains("… submitting a new revision", run.Error);
        Assert.DoesNotMatch("brokkr_BR[1-9A-Za-z]{6}_", run.Output);
    }

    private static async Task<CommandResult> BashAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash") { ArgumentList = { "-c", script }, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }
}
