using System.CommandLine;
using Brokkr.Cli.Connection;

namespace Brokkr.Cli.Commands;

/// <summary>
/// <c>register</c>, <c>deregister</c> and <c>registrations</c>: an agent's registrations with generators, the consent
/// that lets a generator's stacks reach it. Changing them takes the admin PAK.
/// </summary>
public static class RegistrationCommands
{
    public static IEnumerable<Command> Build(GlobalOptions options, CliConsole console)
    {
        yield return Register(options, console);
        yield return Deregister(options, console);
        yield return Registrations(options, console);
    }

    private static Option<Guid> Agent(bool required = true) => new("--agent") { Description = "The agent's UUID", Required = required };

    private static Option<Guid> Generator(bool required = true) => new("--generator") { Description = "The generator's UUID", Required = required };

    private static Command Register(GlobalOptions options, CliConsole console)
    {
        var (agent, generator) = (Agent(), Generator());
        var command = new Command("register", "Register an agent with a generator, so the generator's stacks can target it") { agent, generator };
        CliAction.Set(command, options, console, async (parsed, output, connect, ct) =>
        {
            var registration = await connect().RegisterAsync(parsed.GetValue(generator), parsed.GetValue(agent), ct);
            output.Result(registration, $"registered agent {registration.AgentId} with generator {registration.GeneratorId}");
            return CliExitCodes.Success;
        });
        return command;
    }

    private static Command Deregister(GlobalOptions options, CliConsole console)
    {
        var (agent, generator) = (Agent(), Generator());
        var command = new Command("deregister",
            "Remove an agent's registration with a generator; its targets of that generator's stacks go too") { agent, generator };
        CliAction.Set(command, options, console, async (parsed, output, connect, ct) =>
        {
            var (agentId, generatorId) = (parsed.GetValue(agent), parsed.GetValue(generator));
            await connect().DeregisterAsync(generatorId, agentId, ct);
            output.Result(new { agent_id = agentId, generator_id = generatorId, deregistered = true },
                $"deregistered agent {agentId} from generator {generatorId}");
            return CliExitCodes.Success;
        });
        return command;
    }

    private static Command Registrations(GlobalOptions options, CliConsole console)
    {
        var (agent, generator) = (Agent(required: false), Generator(required: false));
        var command = new Command("registrations", "List an agent's generators (--agent) or a generator's agents (--generator)") { agent, generator };
        command.Validators.Add(result =>
        {
            if ((result.GetResult(agent) is null) == (result.GetResult(generator) is null))
            {
                result.AddError("give exactly one of --agent and --generator");
            }
        });
        CliAction.Set(command, options, console, async (parsed, output, connect, ct) =>
        {
            var byAgent = parsed.GetResult(agent) is not null;
            var broker = connect();
            var list = byAgent
                ? await broker.AgentRegistrationsAsync(parsed.GetValue(agent), ct)
                : await broker.GeneratorRegistrationsAsync(parsed.GetValue(generator), ct);
            var lines = list.Select(r => $"{(byAgent ? r.GeneratorId : r.AgentId)}  {r.RegisteredAt:u}");
            string[] text = list.Count == 0
                ? ["(no registrations)"]
                : [$"{(byAgent ? "GENERATOR" : "AGENT"),-36}  REGISTERED", .. lines];
            output.Result(list, text);
            return CliExitCodes.Success;
        });
        return command;
    }
}
