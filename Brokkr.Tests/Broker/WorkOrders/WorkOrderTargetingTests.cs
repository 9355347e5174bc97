namespace Brokkr.Tests.Broker.WorkOrders;

/// <summary>Who may see and claim a work order: targeted agents only (by id, label or annotation), one of them at a time.</summary>
public sealed class WorkOrderTargetingTests(WorkOrderBroker broker) : IClassFixture<WorkOrderBroker>
{
    private readonly WorkOrderClient _orders = new(broker);

    [Fact]
    public async Task Orders_reach_agents_with_any_matching_label_or_annotation_and_no_one_else()
    {
        var label = Fleet.Unique("builder");
        var zone = Fleet.Unique("zone");
        var labelled = await _orders.Fleet.AgentAsync();
        var annotated = await _orders.Fleet.AgentAsync();
        var bystander = await _orders.Fleet.AgentAsync();
        await _orders.LabelAsync(labelled, label);
        await _orders.AnnotateAsync(annotated, "zone", zone);
        await _orders.LabelAsync(bystander, Fleet.Unique("other"));
        await _orders.AnnotateAsync(bystander, "zone", Fleet.Unique("zone"));

        var byLabel = (await _orders.CreateAsync(new { labels = new[] { label, Fleet.Unique("unused") } })).Id();
        var byAnnotation = (await _orders.CreateAsync(new { annotations = new Dictionary<string, string> { ["zone"] = zone } })).Id();

        Assert.Equal([byLabel], await _orders.PendingAsync(labelled));
        Assert.Equal([byAnnotation], await _orders.PendingAsync(annotated));
        Assert.Empty(await _orders.PendingAsync(bystander));

        await _orders.Claim(bystander, byLabel).ExpectError(404, "work_order_not_claimable");
        await _orders.Claim(labelled, byAnnotation).ExpectError(404, "work_order_not_claimable");
        await _orders.Claim(annotated, byAnnotation).Expect(200);
        await _orders.Claim(labelled, byLabel).Expect(200);
    }

    [Fact]
    public async Task Of_agents_racing_for_one_order_exactly_one_wins_and_the_others_get_409()
    {
        var label = Fleet.Unique("racer");
        var agents = new List<Tenant>();
        for (var i = 0; i < 6; i++)
        {
            var agent = await _orders.Fleet.AgentAsync();
            await _orders.LabelAsync(agent, label);
            agents.Add(agent);
        }
        for (var round = 0; round < 3; round++)
        {
            var id = (await _orders.CreateAsync(new { labels = new[] { label } })).Id();
            using var start = new ManualResetEventSlim();
            var claims = agents.Select(a => Task.Run(async () =>
            {
                start.Wait();
                using var response = await _orders.Claim(a, id);
                return ((int)response.StatusCode, a.Id);
            })).ToList();
            start.Set();
            var results = await Task.WhenAll(claims);
            var winner = Assert.Single(results, r => r.Item1 == 200);
            Assert.All(results.Where(r => r != winner), r => Assert.Equal(409, r.Item1));
            Assert.Equal(winner.Id, (await _orders.GetAsync(id)).Id("claimed_by"));
        }
    }

    [Fact]
    public async Task Agents_see_only_their_own_queue_and_the_admin_alone_manages_orders()
    {
        var agent = await _orders.Fleet.AgentAsync();
        var other = await _orders.Fleet.AgentAsync();
        var id = (await _orders.CreateAsync(new { agent_ids = new[] { agent.Id } })).Id();
        var asAgent = broker.Client(agent.Pak);

        await asAgent.Send("GET", $"/agents/{other.Id}/work-orders/pending").ExpectError(403, "agent_pak_mismatch");
        await asAgent.Send("POST", $"/work-orders/{id}/claim", new { agent_id = other.Id }).ExpectError(403, "agent_pak_mismatch");
        await asAgent.Send("GET", "/work-orders").ExpectError(403, "admin_required");
        await asAgent.Send("GET", $"/work-orders/{id}").ExpectError(403, "admin_required");
        await asAgent.Send("DELETE", $"/work-orders/{id}").ExpectError(403, "admin_required");
        await asAgent.Send("GET", "/work-order-log").ExpectError(403, "admin_required");
        await asAgent.Send("POST", "/work-orders", new { work_type = "custom", yaml_content = "a: 1", targeting = new { agent_ids = new[] { agent.Id } } })
            .ExpectError(403, "admin_required");
        // Not claimed by the caller: neither the targeted agent before claiming nor a bystander may complete it.
        await _orders.Complete(agent, id, success: true).ExpectError(403, "work_order_not_claimed_by_agent");
        await _orders.Claim(agent, id).Expect(200);
        await _orders.Complete(other, id, success: true).ExpectError(403, "work_order_not_claimed_by_agent");
        await _orders.Claim(agent, Guid.NewGuid()).ExpectError(404, "work_order_not_found");
        await broker.Client(null).Send("GET", "/work-orders").Expect(401);
        // The admin may list any agent's queue.
        await _orders.Admin.Send("GET", $"/agents/{other.Id}/work-orders/pending?work_type=build").Expect(200);
    }

    [Theory]
    [InlineData("""{"work_type":"custom","yaml_content":"a: 1"}""", 400, "invalid_work_order")]
    [InlineData("""{"work_type":"custom","yaml_content":"a: 1","targeting":{}}""", 400, "invalid_work_order")]
    [InlineData("""{"work_type":"custom","yaml_content":"a: [1","targeting":{"labels":["x"]}}""", 400, "invalid_work_order")]
    [InlineData("""{"work_type":"custom","yaml_content":"","targeting":{"labels":["x"]}}""", 400, "invalid_work_order")]
    [InlineData("""{"work_type":" ","yaml_content":"a: 1","targeting":{"labels":["x"]}}""", 400, "invalid_work_order")]
    [InlineData("""{"work_type":"custom","yaml_content":"a: 1","max_retries":-1,"targeting":{"labels":["x"]}}""", 400, "invalid_work_order")]
    [InlineData("""{"work_type":"custom","yaml_content":"a: 1","backoff_seconds":0,"targeting":{"labels":["x"]}}""", 400, "invalid_work_order")]
    [InlineData("""{"work_type":"custom","yaml_content":"a: 1","claim_timeout_seconds":0,"targeting":{"labels":["x"]}}""", 400, "invalid_work_order")]
    [InlineData("""{"work_type":"custom","yaml_content":"a: 1","targeting":{"labels":["has space"]}}""", 400, "invalid_work_order")]
    [InlineData("""{"work_type":"custom","yaml_content":"a: 1","targeting":{"agent_ids":["6a1f4bde-0000-4000-8000-000000000000"]}}""", 400, "invalid_work_order")]
    [InlineData("""{"yaml_content":"a: 1","targeting":{"labels":["x"]}}""", 422, "invalid_body")]
    [InlineData("""{"work_type":"custom","yaml_content":"a: 1","targeting":{"agent_ids":["nope"]}}""", 422, "invalid_body")]
    public async Task Bad_create_requests_get_the_error_envelope_and_write_nothing(string json, int status, string code)
    {
        var before = (await _orders.Admin.Send("GET", "/work-orders").Expect(200)).GetArrayLength();
        await _orders.Admin.Send("POST", "/work-orders", BrokerHttp.Raw(json, "application/json")).ExpectError(status, code);
        Assert.Equal(before, (await _orders.Admin.Send("GET", "/work-orders").Expect(200)).GetArrayLength());
    }

    [Fact]
    public async Task Bad_queries_and_completions_get_the_error_envelope()
    {
        await _orders.Admin.Send("GET", "/work-order-log?limit=0").ExpectError(400, "invalid_limit");
        await _orders.Admin.Send("GET", $"/work-order-log/{Guid.NewGuid()}").ExpectError(404, "work_order_log_not_found");
        var agent = await _orders.Fleet.AgentAsync();
        var id = (await _orders.CreateAsync(new { agent_ids = new[] { agent.Id } })).Id();
        await _orders.Admin.Send("POST", $"/work-orders/{id}/complete", new { success = true }).ExpectError(409, "work_order_not_claimed");
        await _orders.Admin.Send("POST", $"/work-orders/{id}/complete", BrokerHttp.Raw("""{"message":"x"}""", "application/json"))
            .ExpectError(422, "invalid_body");
        Assert.Equal("PENDING", (await _orders.GetAsync(id)).Str("status"));
    }
}
