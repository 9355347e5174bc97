using Brokkr.Broker.Commands;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Tests.Cli;

/// <summary>
/// The broker's administrative subcommands against the database of a running broker: what they create works over
/// HTTP at once, a PAK is printed once, and bad input changes nothing.
/// </summary>
public sealed class BrokerCommandsTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private readonly Fleet _fleet = new(broker);

    private Task<CommandResult> Run(params string[] args) => CommandRun.BrokerAsync(broker.ConnectionString, args);

    [Fact]
    public async Task Create_generator_prints_a_working_PAK_once_and_refuses_a_duplicate_name()
    {
        var name = Fleet.Unique("ci");
        var created = (await Run("create", "generator", "--name", name, "--description", "pipelines")).Expect(BrokerExitCodes.Success);
        var id = Guid.Parse(created.Line("ID"));
        var pak = created.Line("Initial PAK");
        Assert.Single(created.Out.Split(pak).Skip(1));
        Assert.Equal("", created.Error);

        var identity = await broker.Client(pak).Send("POST", "/auth/pak").Expect(200);
        Assert.Equal(id, identity.Id("generator"));
        var generator = await _fleet.Admin.Send("GET", $"/generators/{id}").Expect(200);
        Assert.Equal("pipelines", generator.Str("description"));

        var duplicate = (await Run("create", "generator", "--name", name)).Expect(BrokerExitCodes.Refused);
        Assert.Contains($"a generator named '{name}' already exists", duplicate.Error);
        Assert.DoesNotContain("PAK", duplicate.Out);
        var list = await _fleet.Admin.Send("GET", "/generators").Expect(200);
        Assert.Single(list.EnumerateArray(), g => g.Str("name") == name);
    }

    [Fact]
    public async Task Create_agent_registers_it_with_the_system_generator_and_those_named()
    {
        var (first, second) = (await _fleet.GeneratorAsync(), await _fleet.GeneratorAsync());
        var name = Fleet.Unique("edge");
        var created = (await Run("create", "agent", "--name", name, "--cluster-name", "eu-1",
            "--generator-ids", $"{first.Id},{second.Id}")).Expect(BrokerExitCodes.Success);
        var id = Guid.Parse(created.Line("ID"));
        Assert.Equal("eu-1", created.Line("Cluster"));
        Assert.Equal($"system (fleet scope), {first.Id}, {second.Id}", created.Line("Registered with"));

        var identity = await broker.Client(created.Line("Initial PAK")).Send("POST", "/auth/pak").Expect(200);
        Assert.Equal(id, identity.Id("agent"));
        var system = (await _fleet.SystemGeneratorAsync()).Id();
        var registered = (await _fleet.Admin.Send("GET", $"/agents/{id}/registrations").Expect(200))
            .EnumerateArray().Select(r => r.Id("generator_id")).ToHashSet();
        Assert.Equal(new HashSet<Guid> { system, first.Id, second.Id }, registered);

        var duplicate = (await Run("create", "agent", "--name", name, "--cluster-name", "eu-1")).Expect(BrokerExitCodes.Refused);
        Assert.Contains($"an agent named '{name}' already exists in cluster 'eu-1'", duplicate.Error);
    }

    [Fact]
    public async Task Create_agent_checks_every_generator_id_before_writing_anything()
    {
        var known = await _fleet.GeneratorAsync();
        var name = Fleet.Unique("typo");
        foreach (var ids in new[] { $"{known.Id},{Guid.NewGuid()}", "not-a-uuid" })
        {
            var refused = (await Run("create", "agent", "--name", name, "--cluster-name", "c1", "--generator", ids)).Expect(BrokerExitCodes.Refused);
            Assert.Contains("invalid_generator_id", refused.Error);
            Assert.Equal("", refused.Out);
        }
        var agents = await _fleet.Admin.Send("GET", "/agents").Expect(200);
        Assert.DoesNotContain(agents.EnumerateArray(), a => a.Str("name") == name);
    }

    [Fact]
    public async Task Rotate_agent_and_generator_replace_the_PAK_and_the_old_one_stops_working_on_the_running_broker()
    {
        var agent = await _fleet.AgentAsync();
        var generator = await _fleet.GeneratorAsync();
        // Cached by the running broker first, so the rotation must also reach its cache.
        await broker.Client(agent.Pak).Send("POST", "/auth/pak").Expect(200);
        await broker.Client(generator.Pak).Send("POST", "/auth/pak").Expect(200);

        var rotatedAgent = (await Run("rotate", "agent", agent.Id.ToString())).Expect(BrokerExitCodes.Success).Line("New PAK");
        var rotatedGenerator = (await Run("rotate", "generator", "--uuid", generator.Id.ToString())).Expect(BrokerExitCodes.Success).Line("New PAK");

        Assert.Equal(agent.Id, (await broker.Client(rotatedAgent).Send("POST", "/auth/pak").Expect(200)).Id("agent"));
        Assert.Equal(generator.Id, (await broker.Client(rotatedGenerator).Send("POST", "/auth/pak").Expect(200)).Id("generator"));
        await Eventually.Unauthorized(broker, agent.Pak);
        await Eventually.Unauthorized(broker, generator.Pak);
    }

    [Fact]
    public async Task Rotate_with_an_unknown_or_malformed_id_fails_clearly()
    {
        var unknown = Guid.NewGuid();
        var missing = (await Run("rotate", "agent", unknown.ToString())).Expect(BrokerExitCodes.Refused);
        Assert.Contains("agent_not_found", missing.Error);
        Assert.Equal("", missing.Out);
        (await Run("rotate", "generator", unknown.ToString())).Expect(BrokerExitCodes.Refused);

        Assert.Contains("'nope' is not a UUID", (await Run("rotate", "agent", "nope")).Expect(BrokerExitCodes.Usage).Error);
        (await Run("rotate", "agent")).Expect(BrokerExitCodes.Usage);
        Assert.Contains("--cluster-name", (await Run("create", "agent", "--name", "x")).Expect(BrokerExitCodes.Usage).Error);
        (await Run("create", "nothing")).Expect(BrokerExitCodes.Usage);
    }

    [Fact]
    public async Task Generate_pak_mints_a_PAK_and_its_hash_without_a_database()
    {
        // A database that does not exist: generate-pak must not need one.
        var result = (await CommandRun.BrokerAsync(UnreachableDatabase, ["generate-pak"])).Expect(BrokerExitCodes.Success);
        var pak = result.Line("PAK");
        Assert.Matches("^brokkr_BR[1-9A-HJ-NP-Za-km-z]{6}_[1-9A-HJ-NP-Za-km-z]{30,34}$", pak);
        Assert.Equal(Brokkr.Broker.Authentication.PakFormat.HashOf(pak), result.Line("PAK hash"));
    }

    [Fact]
    public async Task Without_a_database_the_commands_exit_3_and_never_show_the_password()
    {
        foreach (var args in new[] { new[] { "create", "generator", "--name", "g" }, ["create", "agent", "--name", "a", "--cluster-name", "c"],
                     ["rotate", "agent", Guid.NewGuid().ToString()], ["rotate", "admin"] })
        {
            var result = (await CommandRun.BrokerAsync(UnreachableDatabase, args)).Expect(BrokerExitCodes.DatabaseUnavailable);
            Assert.StartsWith("error: cannot reach the database: Failed to connect to 127.0.0.1:", result.Error);
            Assert.DoesNotContain("s3cret-pw", result.Output);
        }
    }

    [Fact]
    public async Task Serve_runs_the_broker_with_the_host_arguments_that_follow_it()
    {
        // ServiceProcess adds --urls after "serve": the subcommand must hand it to the host.
        await using var served = await ServiceProcess.StartAsync("Brokkr.Broker", new Dictionary<string, string?>
        {
            ["ConnectionStrings__brokkr"] = broker.ConnectionString,
            ["Logging__LogLevel__Default"] = "Warning",
        }, readyPath: "/readyz", startupTimeout: TimeSpan.FromMinutes(2), arguments: ["serve"]);
        using var client = served.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + BrokerHost.DevAdminPak);
        Assert.True((await client.Send("POST", "/auth/pak").Expect(200)).GetProperty("admin").GetBoolean());
    }

    [Fact]
    public void Arguments_that_name_no_subcommand_start_the_server_as_before()
    {
        Assert.False(BrokerCommandLine.IsCommandLine([]));
        Assert.False(BrokerCommandLine.IsCommandLine(["--urls", "http://127.0.0.1:0"]));
        Assert.False(BrokerCommandLine.IsCommandLine(["--Brokkr:Broker:pak_hash=abc"]));
        Assert.True(BrokerCommandLine.IsCommandLine(["serve", "--urls", "http://127.0.0.1:0"]));
        Assert.True(BrokerCommandLine.IsCommandLine(["create", "agent"]));
        Assert.True(BrokerCommandLine.IsCommandLine(["--help"]));
    }

    private static string UnreachableDatabase =>
        $"Host=127.0.0.1;Port={LoopbackPort.Free()};Username=brokkr;Password=s3cret-pw;Database=none;Timeout=5";
}
