using System.CommandLine;
using System.Net;
using Brokkr.Cli.Connection;
using Brokkr.Cli.Manifests;
using Brokkr.Cli.Output;

namespace Brokkr.Cli.Commands;

/// <summary>
/// <c>brokkr apply -f &lt;dir|file|-&gt; --stack &lt;name&gt;</c>: makes the manifests the stack's desired state, creating the
/// stack (owned by the PAK's generator) when it does not exist. Idempotent: a bundle whose checksum equals the latest
/// deployment object's submits nothing and reports <c>unchanged</c>.
/// </summary>
public static class ApplyCommand
{
    public enum Outcome
    {
        Created,
        Updated,
        Unchanged,
    }

    public static Command Build(GlobalOptions options, CliConsole console)
    {
        var file = new Option<string>("--filename", "-f")
        {
            Description = "A folder (its top-level *.yaml/*.yml files, in name order), a file, or - for standard input",
            Required = true,
        };
        var stack = new Option<string>("--stack") { Description = "The stack's name; created when absent", Required = true };
        var labels = new Option<string[]>("--target-label")
        {
            Description = "A targeting label for the stack (e.g. env:prod), added if missing; repeatable",
        };
        var command = new Command("apply", "Make a folder of manifests the desired state of a stack") { file, stack, labels };
        CliAction.Set(command, options, console, async (parsed, output, connect, ct) =>
        {
            var name = parsed.GetRequiredValue(stack);
            // Read and checked before anything is sent: a broken bundle fails without touching the broker.
            var bundle = ManifestBundle.Read(parsed.GetRequiredValue(file), console.In);
            output.Progress($"read {bundle.Documents} manifest(s) from {bundle.Files} source(s), {bundle.Bytes} bytes, checksum {bundle.Checksum[..12]}");
            var broker = connect();
            var result = await ApplyAsync(broker, name, bundle, parsed.GetValue(labels) ?? [], output, ct);
            output.Result(new
            {
                outcome = result.Outcome.ToString().ToLowerInvariant(),
                stack = new { id = result.Stack.Id, name = result.Stack.Name, created = result.StackCreated },
                deployment_object = result.Submitted is { } d ? new { id = d.Id, sequence_id = d.SequenceId, yaml_checksum = d.YamlChecksum } : null,
                documents = bundle.Documents,
                yaml_checksum = bundle.Checksum,
                labels_added = result.LabelsAdded,
            }, result.Outcome switch
            {
                Outcome.Created => $"created stack \"{name}\": first revision (sequence {result.Submitted!.SequenceId})",
                Outcome.Updated => $"updated stack \"{name}\": new revision (sequence {result.Submitted!.SequenceId})",
                _ => $"unchanged: stack \"{name}\" already current",
            });
            return CliExitCodes.Success;
        });
        return command;
    }

    private sealed record Result(Outcome Outcome, Stack Stack, bool StackCreated, DeploymentObject? Submitted, List<string> LabelsAdded);

    private static async Task<Result> ApplyAsync(BrokerClient broker, string name, ManifestBundle bundle, string[] labels,
        CliOutput output, CancellationToken ct)
    {
        var identity = await broker.WhoAmIAsync(ct);
        if (identity.Generator is not { } generatorId)
        {
            throw new CliFailure(CliExitCodes.NotAuthorized,
                "apply needs a generator's PAK: the stack belongs to the generator whose PAK applies it" +
                (identity.Admin ? " (this is the admin PAK)" : ""));
        }

        var (stack, created) = await FindOrCreateStackAsync(broker, name, generatorId, output, ct);
        var added = new List<string>();
        foreach (var label in labels.Distinct(StringComparer.Ordinal))
        {
            try
            {
                await broker.AddStackLabelAsync(stack.Id, label, ct);
                added.Add(label);
            }
            catch (BrokerRefusal refusal) when (refusal.Status == HttpStatusCode.Conflict)
            {
                // Already there: labels are only ever added.
            }
        }
        if (added.Count > 0)
        {
            output.Progress($"added target label(s) {string.Join(", ", added)}");
        }

        output.Progress($"comparing with the latest revision of stack \"{name}\"");
        var objects = await broker.DeploymentObjectsAsync(stack.Id, ct);
        var latest = objects.MaxBy(o => o.SequenceId);
        if (latest is not null && latest.YamlChecksum == bundle.Checksum && !latest.IsDeletionMarker)
        {
            return new Result(Outcome.Unchanged, stack, created, null, added);
        }
        output.Progress($"submitting a new revision ({bundle.Bytes} bytes)");
        var submitted = await broker.SubmitAsync(stack.Id, bundle.Yaml, ct);
        return new Result(objects.Count == 0 ? Outcome.Created : Outcome.Updated, stack, created, submitted, added);
    }

    private static async Task<(Stack Stack, bool Created)> FindOrCreateStackAsync(BrokerClient broker, string name, Guid generatorId,
        CliOutput output, CancellationToken ct)
    {
        output.Progress($"looking up stack \"{name}\"");
        if ((await broker.StacksAsync(ct)).FirstOrDefault(s => s.Name == name) is { } existing)
        {
            return (existing, false);
        }
        try
        {
            output.Progress($"creating stack \"{name}\"");
            return (await broker.CreateStackAsync(name, generatorId, ct), true);
        }
        catch (BrokerRefusal refusal) when (refusal.Status == HttpStatusCode.Conflict)
        {
            // Created meanwhile by a concurrent apply of ours, or the name belongs to another generator's stack.
            return (await broker.StacksAsync(ct)).FirstOrDefault(s => s.Name == name) is { } raced
                ? (raced, false)
                : throw new CliFailure(CliExitCodes.Refused, $"stack name \"{name}\" is taken by another generator's stack", refusal.Code);
        }
    }
}
