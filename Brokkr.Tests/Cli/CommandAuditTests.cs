using System.Text.Json;
using Brokkr.Broker.Commands;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Cli;

/// <summary>
/// The broker's subcommands leave the audit trail the API's PAK routes leave — the same actions on the same
/// resources — as the admin acting through the CLI, and never the PAK they print.
/// </summary>
public sealed class CommandAuditTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private Task<CommandResult> Run(params string[] args) => CommandRun.BrokerAsync(broker.ConnectionString, args);

    [Fact]
    public async Task Create_and_rotate_record_the_APIs_actions_as_the_admin_via_the_CLI_without_the_PAK()
    {
        var generator = (await Run("create", "generator", "--name", Fleet.Unique("audited"))).Expect(BrokerExitCodes.Success);
        var generatorId = Guid.Parse(generator.Line("ID"));
        var agent = (await Run("create", "agent", "--name", Fleet.Unique("audited"), "--cluster-name", "eu-1")).Expect(BrokerExitCodes.Success);
        var agentId = Guid.Parse(agent.Line("ID"));
        var rotatedAgent = (await Run("rotate", "agent", agentId.ToString())).Expect(BrokerExitCodes.Success);
        var rotatedGenerator = (await Run("rotate", "generator", "--uuid", generatorId.ToString())).Expect(BrokerExitCodes.Success);
        var paks = new[] { generator.Line("Initial PAK"), agent.Line("Initial PAK"), rotatedAgent.Line("New PAK"), rotatedGenerator.Line("New PAK") };

        var agentEntries = await EntriesAsync(agentId);
        Assert.Equal(["agent.created", "pak.created", "pak.rotated"], agentEntries.Select(e => e.Str("action")).Order());
        var generatorEntries = await EntriesAsync(generatorId);
        Assert.Equal(["generator.created", "pak.created", "pak.rotated"], generatorEntries.Select(e => e.Str("action")).Order());

        foreach (var entry in agentEntries.Concat(generatorEntries))
        {
            Assert.Equal("admin", entry.Str("actor_type"));
            Assert.Equal(JsonValueKind.Null, entry.GetProperty("ip_address").ValueKind);
            Assert.Equal("cli", entry.GetProperty("details").Str("via"));
            Assert.StartsWith("Brokkr.Broker ", entry.Str("user_agent"));
            Assert.Equal(entry.Str("action").StartsWith("pak.", StringComparison.Ordinal) ? "pak" : entry.Str("action").Split('.')[0],
                entry.Str("resource_type"));
            var text = entry.GetRawText();
            Assert.All(paks, pak => Assert.DoesNotContain(pak, text));
            Assert.DoesNotContain("brokkr_", text);
        }
        Assert.Equal("rotate agent", agentEntries.Single(e => e.Str("action") == "pak.rotated").GetProperty("details").Str("command"));
        Assert.Equal("agent", agentEntries.Single(e => e.Str("action") == "pak.rotated").GetProperty("details").Str("owner_type"));
        Assert.Equal("generator", generatorEntries.Single(e => e.Str("action") == "pak.created").GetProperty("details").Str("owner_type"));
    }

    [Fact]
    public async Task A_refused_command_records_nothing()
    {
        var unknown = Guid.NewGuid();
        (await Run("rotate", "agent", unknown.ToString())).Expect(BrokerExitCodes.Refused);

        Assert.Empty(await EntriesAsync(unknown));
    }

    /// <summary>The resource's entries; the subcommands wrote them before they exited, so no waiting is needed.</summary>
    private async Task<List<JsonElement>> EntriesAsync(Guid resourceId) =>
        (await broker.Client().Send("GET", $"/admin/audit-logs?resource_id={resourceId}").Expect(200))
            .GetProperty("logs").EnumerateArray().ToList();
}
