using System.CommandLine;
using Brokkr.Broker.Api.V1.Agents;
using Brokkr.Broker.Api.V1.Generators;
using Brokkr.Broker.Errors;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Commands;

/// <summary><c>create agent</c> and <c>create generator</c>: a new identity and its PAK, printed this once.</summary>
public static class CreateCommands
{
    public static Command Build(IReadOnlyDictionary<string, string?>? settings)
    {
        var create = new Command("create", "Create an agent or a generator and print its PAK (shown once)");
        create.Subcommands.Add(Agent(settings));
        create.Subcommands.Add(Generator(settings));
        return create;
    }

    private static Command Agent(IReadOnlyDictionary<string, string?>? settings)
    {
        var name = new Option<string>("--name") { Description = "The agent's name", Required = true };
        var cluster = new Option<string>("--cluster-name") { Description = "The Kubernetes cluster the agent runs in", Required = true };
        var generators = new Option<string[]>("--generator-ids", "--generator")
        {
            Description = "Generators to register the agent with besides the system generator: comma-separated, repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("agent", "Create an agent, registered with the system generator and any generators named") { name, cluster, generators };
        command.SetAction((parsed, cancellationToken) => AdminAction.RunAsync(parsed.InvocationConfiguration.Error, async () =>
        {
            var ids = (parsed.GetValue(generators) ?? [])
                .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
            await using var session = await AdminSession.OpenAsync(settings, cancellationToken);
            CreatedAgent created;
            try
            {
                created = await AgentCreation.CreateAsync(session.Db, session.Paks, parsed.GetRequiredValue(name),
                    parsed.GetRequiredValue(cluster), ids, cancellationToken);
            }
            catch (DbUpdateException e) when (DatabaseErrors.Map(e) is { Code: "unique_violation" })
            {
                throw new CommandFailure(BrokerExitCodes.Refused,
                    $"an agent named '{parsed.GetValue(name)}' already exists in cluster '{parsed.GetValue(cluster)}'");
            }
            await CommandAudit.RecordAsync(session, "create agent", parsed.InvocationConfiguration.Error,
                new("agent.created", "agent", created.Agent.Id), new("pak.created", "pak", created.Agent.Id, PakOwner: "agent"));
            var output = parsed.InvocationConfiguration.Output;
            if (created.SystemGeneratorId is null)
            {
                await parsed.InvocationConfiguration.Error.WriteLineAsync(
                    "warning: this database has no system generator yet (the broker provisions it on its first start), " +
                    "so the agent is not in the fleet scope; start the broker once, then `brokkr register` it");
            }
            var scopes = created.GeneratorIds.Select(g => g.ToString());
            if (created.SystemGeneratorId is not null)
            {
                scopes = scopes.Prepend("system (fleet scope)");
            }
            await output.WriteLineAsync("Agent created.");
            await output.WriteLineAsync($"ID: {created.Agent.Id}");
            await output.WriteLineAsync($"Name: {created.Agent.Name}");
            await output.WriteLineAsync($"Cluster: {created.Agent.ClusterName}");
            await output.WriteLineAsync($"Registered with: {string.Join(", ", scopes.DefaultIfEmpty("(none)"))}");
            await PakOutput.WriteAsync(output, "Initial PAK", created.Pak.Plaintext);
            return BrokerExitCodes.Success;
        }));
        return command;
    }

    private static Command Generator(IReadOnlyDictionary<string, string?>? settings)
    {
        var name = new Option<string>("--name") { Description = "The generator's name (1-255 characters)", Required = true };
        var description = new Option<string?>("--description") { Description = "What the generator is for" };
        var command = new Command("generator", "Create a generator (a tenant, e.g. a CI pipeline)") { name, description };
        command.SetAction((parsed, cancellationToken) => AdminAction.RunAsync(parsed.InvocationConfiguration.Error, async () =>
        {
            await using var session = await AdminSession.OpenAsync(settings, cancellationToken);
            Data.Generator generator;
            Authentication.MintedPak pak;
            try
            {
                (generator, pak) = await GeneratorCreation.CreateAsync(session.Db, session.Paks, parsed.GetRequiredValue(name),
                    parsed.GetValue(description), cancellationToken);
            }
            catch (DbUpdateException e) when (DatabaseErrors.Map(e) is { Code: "unique_violation" })
            {
                throw new CommandFailure(BrokerExitCodes.Refused, $"a generator named '{parsed.GetValue(name)}' already exists");
            }
            await CommandAudit.RecordAsync(session, "create generator", parsed.InvocationConfiguration.Error,
                new("generator.created", "generator", generator.Id), new("pak.created", "pak", generator.Id, PakOwner: "generator"));
            var output = parsed.InvocationConfiguration.Output;
            await output.WriteLineAsync("Generator created.");
            await output.WriteLineAsync($"ID: {generator.Id}");
            await output.WriteLineAsync($"Name: {generator.Name}");
            await PakOutput.WriteAsync(output, "Initial PAK", pak.Plaintext);
            return BrokerExitCodes.Success;
        }));
        return command;
    }
}
