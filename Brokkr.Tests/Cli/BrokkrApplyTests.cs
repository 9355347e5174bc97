using System.Text.Json;
using Brokkr.Cli;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Cli;

/// <summary>
/// <c>brokkr apply</c> against a real broker: created, then unchanged on a re-run (nothing submitted), updated when
/// the folder changes; bad input fails before anything reaches the broker; exit codes a pipeline can branch on.
/// </summary>
public sealed class BrokkrApplyTests(BrokerHost broker) : IClassFixture<BrokerHost>, IDisposable
{
    private const string ConfigMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: blue\n";
    private const string Namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n";

    private readonly Fleet _fleet = new(broker);
    private readonly string _folder = Directory.CreateTempSubdirectory("brokkr-apply-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Runs brokkr with the broker's URL and <paramref name="pak"/> in the environment; no output may hold the PAK.</summary>
    private async Task<CommandResult> Brokkr(string pak, params string[] args)
    {
        var result = await CommandRun.BrokkrAsync(args, new Dictionary<string, string?>
        {
            ["BROKKR_BROKER_URL"] = broker.BaseAddress.ToString(),
            ["BROKKR_PAK"] = pak,
        });
        Assert.DoesNotContain(pak, result.Output);
        return result;
    }

    private async Task<List<JsonElement>> DeploymentObjects(Tenant generator, string stack)
    {
        var stacks = await broker.Client(generator.Pak).Send("GET", "/stacks").Expect(200);
        var id = stacks.EnumerateArray().Single(s => s.Str("name") == stack).Id();
        return [.. (await broker.Client(generator.Pak).Send("GET", $"/stacks/{id}/deployment-objects").Expect(200)).EnumerateArray()];
    }

    [Fact]
    public async Task Apply_creates_then_is_unchanged_on_a_rerun_then_updates_when_the_folder_changes()
    {
        var generator = await _fleet.GeneratorAsync();
        var stack = Fleet.Unique("payments");
        await File.WriteAllTextAsync(Path.Combine(_folder, "b-config.yaml"), ConfigMap);
        await File.WriteAllTextAsync(Path.Combine(_folder, "a-namespace.yml"), Namespace);
        await File.WriteAllTextAsync(Path.Combine(_folder, "notes.txt"), "not a manifest");

        var created = (await Brokkr(generator.Pak, "apply", "-f", _folder, "--stack", stack)).Expect(CliExitCodes.Success);
        // Sequence ids are the broker's, shared by all stacks: any number, but the one stored.
        var sequence = Assert.Single(System.Text.RegularExpressions.Regex.Matches(created.Out,
            $"^created stack \"{System.Text.RegularExpressions.Regex.Escape(stack)}\": first revision \\(sequence (\\d+)\\)$",
            System.Text.RegularExpressions.RegexOptions.Multiline)).Groups[1].Value;
        Assert.Contains("… read 2 manifest(s) from 2 source(s)", created.Error);
        var first = Assert.Single(await DeploymentObjects(generator, stack));
        Assert.Equal(long.Parse(sequence), first.GetProperty("sequence_id").GetInt64());
        // The folder's files in name order, joined as one stream; the .txt file is not part of it.
        Assert.Equal(Namespace.TrimEnd() + "\n---\n" + ConfigMap.TrimEnd() + "\n", first.Str("yaml_content"));

        var again = (await Brokkr(generator.Pak, "apply", "-f", _folder, "--stack", stack, "--quiet")).Expect(CliExitCodes.Success);
        Assert.Equal($"unchanged: stack \"{stack}\" already current\n", again.Out.ReplaceLineEndings("\n"));
        Assert.Equal("", again.Error);
        Assert.Single(await DeploymentObjects(generator, stack));

        await File.WriteAllTextAsync(Path.Combine(_folder, "b-config.yaml"), ConfigMap.Replace("blue", "green"));
        var updated = (await Brokkr(generator.Pak, "apply", "-f", _folder, "--stack", stack, "-o", "json")).Expect(CliExitCodes.Success);
        var json = JsonDocument.Parse(updated.Out).RootElement;
        Assert.Equal("updated", json.Str("outcome"));
        Assert.True(json.GetProperty("deployment_object").GetProperty("sequence_id").GetInt64() > long.Parse(sequence));
        Assert.False(json.GetProperty("stack").GetProperty("created").GetBoolean());
        var objects = await DeploymentObjects(generator, stack);
        Assert.Equal(2, objects.Count);
        Assert.Contains(objects, o => o.Str("yaml_checksum") == json.Str("yaml_checksum"));
    }

    [Fact]
    public async Task Apply_reads_a_single_file_or_standard_input_and_adds_target_labels_once()
    {
        var generator = await _fleet.GeneratorAsync();
        var stack = Fleet.Unique("stdin");
        var file = Path.Combine(_folder, "all.yaml");
        await File.WriteAllTextAsync(file, Namespace + "---\n" + ConfigMap);

        var fromFile = (await Brokkr(generator.Pak, "apply", "-f", file, "--stack", stack, "--target-label", "env:prod", "-o", "json"))
            .Expect(CliExitCodes.Success);
        var json = JsonDocument.Parse(fromFile.Out).RootElement;
        Assert.Equal("created", json.Str("outcome"));
        Assert.True(json.GetProperty("stack").GetProperty("created").GetBoolean());
        Assert.Equal(2, json.GetProperty("documents").GetInt32());
        Assert.Equal(["env:prod"], json.GetProperty("labels_added").EnumerateArray().Select(l => l.GetString()));

        var fromStdin = await CommandRun.BrokkrAsync(["apply", "-f", "-", "--stack", stack, "--target-label", "env:prod", "-o", "json"],
            new Dictionary<string, string?> { ["BROKKR_BROKER_URL"] = broker.BaseAddress.ToString(), ["BROKKR_PAK"] = generator.Pak },
            stdin: Namespace + "---\n" + ConfigMap);
        json = JsonDocument.Parse(fromStdin.Expect(CliExitCodes.Success).Out).RootElement;
        Assert.Equal("unchanged", json.Str("outcome"));
        Assert.Equal(0, json.GetProperty("labels_added").GetArrayLength());
        var stackId = json.GetProperty("stack").Id();
        var labels = await broker.Client(generator.Pak).Send("GET", $"/stacks/{stackId}/labels").Expect(200);
        Assert.Equal(["env:prod"], labels.EnumerateArray().Select(l => l.Str("label")));
    }

    [Fact]
    public async Task Invalid_manifests_fail_with_exit_2_before_the_stack_is_created()
    {
        var generator = await _fleet.GeneratorAsync();
        var stack = Fleet.Unique("broken");
        var cases = new Dictionary<string, string>
        {
            ["metadata:\n  name: no-kind\n"] = "has no apiVersion and kind",
            ["apiVersion: v1\nkind: [unclosed\n"] = "not valid YAML",
        };
        foreach (var (content, message) in cases)
        {
            var file = Path.Combine(_folder, "bad.yaml");
            await File.WriteAllTextAsync(file, content);
            var result = (await Brokkr(generator.Pak, "apply", "-f", file, "--stack", stack)).Expect(CliExitCodes.Usage);
            Assert.Contains(message, result.Error);
            Assert.Equal("", result.Out);
        }
        Assert.Contains("no such file or folder", (await Brokkr(generator.Pak, "apply", "-f", Path.Combine(_folder, "missing"), "--stack", stack))
            .Expect(CliExitCodes.Usage).Error);
        Directory.CreateDirectory(Path.Combine(_folder, "empty"));
        Assert.Contains("has no .yaml or .yml files", (await Brokkr(generator.Pak, "apply", "-f", Path.Combine(_folder, "empty"), "--stack", stack))
            .Expect(CliExitCodes.Usage).Error);
        Assert.Contains("--stack", (await Brokkr(generator.Pak, "apply", "-f", _folder)).Expect(CliExitCodes.Usage).Error);

        var stacks = await broker.Client(generator.Pak).Send("GET", "/stacks").Expect(200);
        Assert.DoesNotContain(stacks.EnumerateArray(), s => s.Str("name") == stack);
    }

    [Fact]
    public async Task Apply_exits_4_for_a_rejected_or_non_generator_PAK_and_3_when_the_broker_is_unreachable()
    {
        var file = Path.Combine(_folder, "ns.yaml");
        await File.WriteAllTextAsync(file, Namespace);

        var admin = (await Brokkr(BrokerHost.DevAdminPak, "apply", "-f", file, "--stack", Fleet.Unique("s"))).Expect(CliExitCodes.NotAuthorized);
        Assert.Contains("apply needs a generator's PAK", admin.Error);
        var wrong = (await Brokkr("brokkr_BRnope123_NotARealPakAtAllForThisTest0", "apply", "-f", file, "--stack", "s", "-o", "json"))
            .Expect(CliExitCodes.NotAuthorized);
        Assert.Equal(401, JsonDocument.Parse(wrong.Out).RootElement.GetProperty("error").GetProperty("status").GetInt32());

        var unreachable = await CommandRun.BrokkrAsync(["apply", "-f", file, "--stack", "s", "--broker-url",
            $"http://127.0.0.1:{Infrastructure.LoopbackPort.Free()}", "--pak", "brokkr_BRabcdefg_x"]);
        Assert.Contains("cannot reach the broker", unreachable.Expect(CliExitCodes.Unavailable).Error);
    }

    [Fact]
    public async Task A_stack_name_owned_by_another_generator_is_refused_with_exit_1()
    {
        var (owner, other) = (await _fleet.GeneratorAsync(), await _fleet.GeneratorAsync());
        var file = Path.Combine(_folder, "ns.yaml");
        await File.WriteAllTextAsync(file, Namespace);
        var stack = Fleet.Unique("taken");
        (await Brokkr(owner.Pak, "apply", "-f", file, "--stack", stack)).Expect(CliExitCodes.Success);

        var refused = (await Brokkr(other.Pak, "apply", "-f", file, "--stack", stack)).Expect(CliExitCodes.Refused);
        Assert.Contains($"stack name \"{stack}\" is taken by another generator's stack", refused.Error);
        Assert.Single(await DeploymentObjects(owner, stack));
    }
}
