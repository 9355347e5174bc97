namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// Tests that run the agent in this process. They run one at a time and never beside another collection
/// (<c>DisableParallelization</c>) because OpenTelemetry listens to meters process-wide: two live agents would add up
/// in each other's "Brokkr.Agent" families, and a broker started by another test class would list the agent's
/// families on its own /metrics. Alone, each test's agent starts with every counter at zero, so tests assert absolute
/// values. In-process (rather than `dotnet Brokkr.Agent.dll`) because the test replaces the agent's TimeProvider to
/// step the control loop one tick at a time and read its backoff schedule exactly; AgentProcessTests covers the
/// real process, its environment variables and a /metrics that holds nothing but the agent's own families.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AgentLoopCollection
{
    public const string Name = "Agent loop (in-process agent, serialized)";
}
