namespace Brokkr.Tests.Broker;

/// <summary>
/// A small tenant landscape for authorization tests: generator G1 owns stacks S1 (targeted to agent A1, with a
/// label, an annotation and deployment object D1) and S2 (untargeted); A1 is registered with G1, carries a label
/// and an annotation and has acknowledged D1 (event E1); G2 and A2 are strangers.
/// </summary>
public sealed record World(Tenant G1, Tenant G2, Tenant A1, string A1Name, Tenant A2, Guid S1, Guid S2, Guid D1, Guid E1)
{
    public const string AgentLabel = "tier:web";
    public const string AgentAnnotationKey = "zone";
    public const string StackLabel = "env:prod";
    public const string StackAnnotationKey = "team";
    public const string Cluster = "c1";

    /// <summary>A world of empty ids, for inspecting endpoint paths.</summary>
    public static readonly World Placeholder = new(new(Guid.Empty, ""), new(Guid.Empty, ""), new(Guid.Empty, ""), "", new(Guid.Empty, ""),
        Guid.Empty, Guid.Empty, Guid.Empty, Guid.Empty);

    private static async Task<(T1, T2)> Both<T1, T2>(Task<T1> first, Task<T2> second) => (await first, await second);

    private static async Task<(T1, T2, T3)> All<T1, T2, T3>(Task<T1> first, Task<T2> second, Task<T3> third) =>
        (await first, await second, await third);

    public static async Task<World> CreateAsync(BrokerHost broker)
    {
        var fleet = new Fleet(broker);
        var admin = fleet.Admin;
        // Independent setup calls run concurrently: the matrix builds a world for every successful destructive call.
        var (g1, g2) = await Both(fleet.GeneratorAsync(), fleet.GeneratorAsync());
        var a1Name = Fleet.Unique("agent");
        var (created, a2) = await Both(
            admin.Send("POST", "/agents", new { name = a1Name, cluster_name = Cluster, generator_ids = new[] { g1.Id } }).Expect(201),
            fleet.AgentAsync());
        var a1 = new Tenant(created.GetProperty("agent").Id(), created.Str("initial_pak"));
        var (s1, s2) = await Both(fleet.StackAsync(g1), fleet.StackAsync(g1));
        var owner = broker.Client(g1.Pak);
        var (_, _, d1) = await All(
            owner.Send("POST", $"/stacks/{s1}/labels", StackLabel).Expect(201),
            owner.Send("POST", $"/stacks/{s1}/annotations", new { stack_id = s1, key = StackAnnotationKey, value = "web" }).Expect(201),
            fleet.DeploymentObjectAsync(g1, s1));
        await Task.WhenAll(
            fleet.TargetAsync(g1, a1, s1),
            admin.Send("POST", $"/agents/{a1.Id}/labels", new { agent_id = a1.Id, label = AgentLabel }).Expect(201),
            admin.Send("POST", $"/agents/{a1.Id}/annotations", new { agent_id = a1.Id, key = AgentAnnotationKey, value = "eu" }).Expect(201));
        var e1 = (await broker.Client(a1.Pak).Send("POST", $"/agents/{a1.Id}/events",
            new { agent_id = a1.Id, deployment_object_id = d1.Id(), event_type = "DEPLOY", status = "SUCCESS" }).Expect(201)).Id();
        return new World(g1, g2, a1, a1Name, a2, s1, s2, d1.Id(), e1);
    }
}

/// <summary>A broker with one shared <see cref="World"/>, for tests that only read it or are refused.</summary>
public sealed class WorldBrokerHost : BrokerHost
{
    public World Shared { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Shared = await World.CreateAsync(this);
    }
}
