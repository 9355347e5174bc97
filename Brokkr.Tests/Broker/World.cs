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

    public static async Task<World> CreateAsync(BrokerHost broker)
    {
        var fleet = new Fleet(broker);
        var admin = fleet.Admin;
        var g1 = await fleet.GeneratorAsync();
        var g2 = await fleet.GeneratorAsync();
        var a1Name = Fleet.Unique("agent");
        var created = await admin.Send("POST", "/agents", new { name = a1Name, cluster_name = Cluster, generator_ids = new[] { g1.Id } }).Expect(201);
        var a1 = new Tenant(created.GetProperty("agent").Id(), created.Str("initial_pak"));
        var a2 = await fleet.AgentAsync();
        var s1 = await fleet.StackAsync(g1);
        var s2 = await fleet.StackAsync(g1);
        var owner = broker.Client(g1.Pak);
        await owner.Send("POST", $"/stacks/{s1}/labels", StackLabel).Expect(201);
        await owner.Send("POST", $"/stacks/{s1}/annotations", new { stack_id = s1, key = StackAnnotationKey, value = "web" }).Expect(201);
        var d1 = (await fleet.DeploymentObjectAsync(g1, s1)).Id();
        await fleet.TargetAsync(g1, a1, s1);
        await admin.Send("POST", $"/agents/{a1.Id}/labels", new { agent_id = a1.Id, label = AgentLabel }).Expect(201);
        await admin.Send("POST", $"/agents/{a1.Id}/annotations", new { agent_id = a1.Id, key = AgentAnnotationKey, value = "eu" }).Expect(201);
        var e1 = (await broker.Client(a1.Pak).Send("POST", $"/agents/{a1.Id}/events",
            new { agent_id = a1.Id, deployment_object_id = d1, event_type = "DEPLOY", status = "SUCCESS" }).Expect(201)).Id();
        return new World(g1, g2, a1, a1Name, a2, s1, s2, d1, e1);
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
