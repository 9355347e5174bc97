using System.Text.Json;
using Brokkr.Cli;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Cli;

/// <summary>
/// <c>brokkr register|registrations|deregister</c> against a real broker, and where <c>brokkr</c> finds its broker
/// and PAK: flag, then environment, then <c>~/.brokkr/config</c>.
/// </summary>
public sealed class BrokkrRegistrationTests(BrokerHost broker) : IClassFixture<BrokerHost>, IDisposable
{
    private readonly Fleet _fleet = new(broker);
    private readonly string _home = Directory.CreateTempSubdirectory("brokkr-home-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private Dictionary<string, string?> Environment(string pak) => new()
    {
        ["BROKKR_BROKER_URL"] = broker.BaseAddress.ToString(),
        ["BROKKR_PAK"] = pak,
    };

    private async Task<CommandResult> Admin(params string[] args)
    {
        var result = await CommandRun.BrokkrAsync(args, Environment(BrokerHost.DevAdminPak));
        Assert.DoesNotContain(BrokerHost.DevAdminPak, result.Output);
        return result;
    }

    [Fact]
    public async Task Register_lists_and_deregister_round_trip_with_exit_codes()
    {
        var generator = await _fleet.GeneratorAsync();
        var agent = await _fleet.AgentAsync();
        string[] pair = ["--agent", agent.Id.ToString(), "--generator", generator.Id.ToString()];

        var registered = (await Admin(["register", .. pair])).Expect(CliExitCodes.Success);
        Assert.Equal($"registered agent {agent.Id} with generator {generator.Id}", registered.Out.Trim());
        var again = (await Admin(["register", .. pair])).Expect(CliExitCodes.Refused);
        Assert.Contains("(already_registered)", again.Error);

        var ofAgent = (await Admin("registrations", "--agent", agent.Id.ToString(), "-o", "json")).Expect(CliExitCodes.Success);
        Assert.Contains(JsonDocument.Parse(ofAgent.Out).RootElement.EnumerateArray(), r => r.Id("generator_id") == generator.Id);
        var ofGenerator = (await Admin("registrations", "--generator", generator.Id.ToString())).Expect(CliExitCodes.Success);
        Assert.StartsWith("AGENT", ofGenerator.Out);
        Assert.Contains(agent.Id.ToString(), ofGenerator.Out);

        var gone = (await Admin(["deregister", .. pair])).Expect(CliExitCodes.Success);
        Assert.Equal($"deregistered agent {agent.Id} from generator {generator.Id}", gone.Out.Trim());
        Assert.Equal("(no registrations)", (await Admin("registrations", "--generator", generator.Id.ToString())).Expect(0).Out.Trim());
        var listed = await _fleet.Admin.Send("GET", $"/agents/{agent.Id}/registrations").Expect(200);
        Assert.DoesNotContain(listed.EnumerateArray(), r => r.Id("generator_id") == generator.Id);
    }

    [Fact]
    public async Task Registration_commands_refuse_bad_input_and_non_admin_PAKs()
    {
        var generator = await _fleet.GeneratorAsync();
        var agent = await _fleet.AgentAsync();
        Assert.Contains("exactly one of --agent and --generator", (await Admin("registrations")).Expect(CliExitCodes.Usage).Error);
        (await Admin("registrations", "--agent", agent.Id.ToString(), "--generator", generator.Id.ToString())).Expect(CliExitCodes.Usage);
        (await Admin("register", "--agent", "nope", "--generator", generator.Id.ToString())).Expect(CliExitCodes.Usage);
        var unknown = (await Admin("register", "--agent", agent.Id.ToString(), "--generator", Guid.NewGuid().ToString())).Expect(CliExitCodes.Refused);
        Assert.Contains("generator_not_found", unknown.Error);

        // A generator may not register someone else's agent on its behalf.
        var asGenerator = await CommandRun.BrokkrAsync(["register", "--agent", agent.Id.ToString(), "--generator", generator.Id.ToString()],
            Environment(generator.Pak));
        asGenerator.Expect(CliExitCodes.NotAuthorized);
        Assert.DoesNotContain(generator.Pak, asGenerator.Output);
    }

    [Fact]
    public async Task Connection_comes_from_the_flag_then_the_environment_then_the_config_file()
    {
        var agent = await _fleet.AgentAsync();
        string[] list = ["registrations", "--agent", agent.Id.ToString()];
        var none = await CommandRun.BrokkrAsync(list, home: _home);
        Assert.Contains("no broker URL: pass --broker-url, set BROKKR_BROKER_URL, or put broker_url in ~/.brokkr/config",
            none.Expect(CliExitCodes.Usage).Error);

        // The config file alone, with the URL's /api/v1 written out: it is not doubled.
        Directory.CreateDirectory(Path.Combine(_home, ".brokkr"));
        var config = Path.Combine(_home, ".brokkr", "config");
        await File.WriteAllTextAsync(config, $"broker_url = \"{broker.BaseAddress}api/v1\"\npak = \"{BrokerHost.DevAdminPak}\"\n");
        (await CommandRun.BrokkrAsync(list, home: _home)).Expect(CliExitCodes.Success);

        // The environment wins over the file, the flag over both; a blank value falls through.
        var wrongPak = new Dictionary<string, string?> { ["BROKKR_PAK"] = "brokkr_BRwrong12_NotTheAdmin" };
        (await CommandRun.BrokkrAsync(list, wrongPak, home: _home)).Expect(CliExitCodes.NotAuthorized);
        (await CommandRun.BrokkrAsync([.. list, "--pak", BrokerHost.DevAdminPak], wrongPak, home: _home)).Expect(CliExitCodes.Success);
        (await CommandRun.BrokkrAsync(list, new Dictionary<string, string?> { ["BROKKR_PAK"] = " " }, home: _home)).Expect(CliExitCodes.Success);
        var deadUrl = new Dictionary<string, string?> { ["BROKKR_BROKER_URL"] = $"http://127.0.0.1:{Infrastructure.LoopbackPort.Free()}" };
        (await CommandRun.BrokkrAsync(list, deadUrl, home: _home)).Expect(CliExitCodes.Unavailable);

        await File.WriteAllTextAsync(config, $"pak = \"{BrokerHost.DevAdminPak}\"\nbroker_url = [unclosed\n");
        var malformed = (await CommandRun.BrokkrAsync(list, home: _home)).Expect(CliExitCodes.Usage);
        Assert.Contains("is not valid TOML", malformed.Error);
        Assert.DoesNotContain(BrokerHost.DevAdminPak, malformed.Output);
        var explicitMissing = await CommandRun.BrokkrAsync([.. list, "--config", Path.Combine(_home, "absent")], home: _home);
        Assert.Contains("does not exist", explicitMissing.Expect(CliExitCodes.Usage).Error);
        Assert.Contains("must be an http:// or https:// URL", (await CommandRun.BrokkrAsync([.. list, "--broker-url", "ftp://x", "--pak", "p"]))
            .Expect(CliExitCodes.Usage).Error);
    }
}
