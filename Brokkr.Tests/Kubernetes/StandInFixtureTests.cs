using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn;

namespace Brokkr.Tests.Kubernetes;

/// <summary>The stand-in's answers compared with the recorded responses of a real API server (shape, kinds, Status fields, headers).</summary>
public sealed partial class StandInFixtureTests : StandInOverHttp
{
    [Fact]
    public async Task Core_discovery_is_the_recorded_document()
    {
        var (response, body) = await GetAsync("/api/v1");

        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.True(JsonNode.DeepEquals(Fixtures.Json("discovery-api-v1.json"), body));
        Assert.True(JsonNode.DeepEquals(Fixtures.Json("discovery-api.json"), (await GetAsync("/api")).Body));
    }

    [Fact]
    public async Task Group_discovery_matches_the_recorded_apps_v1_list()
    {
        var (_, body) = await GetAsync("/apis/apps/v1");
        var recorded = Fixtures.Json("discovery-apis-apps-v1.json");

        Assert.Equal(recorded["kind"]!.GetValue<string>(), body["kind"]!.GetValue<string>());
        Assert.Equal(recorded["groupVersion"]!.GetValue<string>(), body["groupVersion"]!.GetValue<string>());
        Assert.Equal(Summary(recorded), Summary(body));
    }

    [Fact]
    public async Task Group_list_has_the_recorded_shape_and_every_group_is_served()
    {
        var (_, body) = await GetAsync("/apis");

        Assert.Equal(("APIGroupList", "v1"), (body["kind"]!.GetValue<string>(), body["apiVersion"]!.GetValue<string>()));
        var recordedApps = Fixtures.Json("discovery-apis.json")["groups"]!.AsArray().Single(g => g!["name"]!.GetValue<string>() == "apps");
        var apps = body["groups"]!.AsArray().Single(g => g!["name"]!.GetValue<string>() == "apps");
        Assert.True(JsonNode.DeepEquals(recordedApps, apps));
        foreach (var group in body["groups"]!.AsArray())
        {
            var gv = group!["preferredVersion"]!["groupVersion"]!.GetValue<string>();
            Assert.Equal(HttpStatusCode.OK, (await GetAsync($"/apis/{gv}")).Response.StatusCode);
        }
    }

    [Fact]
    public async Task Unserved_path_is_a_plain_text_404()
    {
        var response = await Http.GetAsync("/apis/apps/v1/namespaces/default/widgets");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("404 page not found", (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task Not_found_has_the_recorded_status_shape()
    {
        var (response, body) = await GetAsync("/apis/batch/v1/namespaces/default/jobs/bar");
        var recorded = Fixtures.Json("status-404-not-found.json");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(recorded, body), body.ToJsonString());
    }

    [Fact]
    public async Task Invalid_object_has_the_recorded_422_shape()
    {
        var response = await ApplyAsync("/api/v1/namespaces/default/configmaps/Bad_Name",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}""");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var recorded = Fixtures.Json("status-422-invalid.json");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(Keys(recorded), Keys(body));
        Assert.Equal(Keys(recorded["details"]!).Order(), Keys(body["details"]!).Where(k => k != "group").Append("group").Order());
        Assert.Equal(("Invalid", 422, "ConfigMap"),
            (body["reason"]!.GetValue<string>(), body["code"]!.GetValue<int>(), body["details"]!["kind"]!.GetValue<string>()));
        Assert.StartsWith("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value", body["message"]!.GetValue<string>());
        Assert.Equal("metadata.name", body["details"]!["causes"]![0]!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task Apply_conflict_on_a_dotted_key_is_the_409_of_the_protocol()
    {
        const string path = "/api/v1/namespaces/default/configmaps/app";
        await ApplyAsync(path, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"},"data":{"app.properties":"a=1"}}""",
            manager: "kubectl-client-side-apply");

        var response = await ApplyAsync(path,
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"},"data":{"app.properties":"a=2"}}""", force: false);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        // kubernetes-protocol.md §2.5: details holds only causes; the field path joins the key's own dots.
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
             "message":"Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\": .data.app.properties",
             "reason":"Conflict",
             "details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"kubectl-client-side-apply\"",
                                   "field":".data.app.properties"}]},
             "code":409}
            """), body), body.ToJsonString());

        // With force the field moves to the new manager, which then owns it alone.
        Assert.Equal(HttpStatusCode.OK, (await ApplyAsync(path,
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"},"data":{"app.properties":"a=2"}}""")).StatusCode);
        var (_, stored) = await GetAsync(path);
        var previous = stored["metadata"]!["managedFields"]!.AsArray().Single(e => e!["manager"]!.GetValue<string>() == "kubectl-client-side-apply");
        Assert.Null(previous!["fieldsV1"]!["f:data"]?["f:app.properties"]);
    }

    [Fact]
    public async Task Delete_answers_the_recorded_success_status_and_list_items_carry_no_kind()
    {
        await ApplyAsync("/apis/apps/v1/namespaces/default/deployments/web",
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1}}""");

        var (_, list) = await GetAsync("/apis/apps/v1/namespaces/default/deployments");
        var recordedList = Fixtures.ReplayBody("replay-v1.36-deployment-list.json", 0);
        Assert.Equal(Keys(recordedList), Keys(list));
        Assert.Equal(Keys(recordedList["metadata"]!), Keys(list["metadata"]!));
        Assert.Equal("DeploymentList", list["kind"]!.GetValue<string>());
        var item = Assert.Single(list["items"]!.AsArray())!;
        Assert.Null(item["kind"]);
        Assert.Null(item["apiVersion"]);

        var response = await Http.DeleteAsync("/apis/apps/v1/namespaces/default/deployments/web");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var recorded = Fixtures.Json("status-200-delete-success.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Keys(recorded), Keys(body));
        Assert.Equal(Keys(recorded["details"]!), Keys(body["details"]!));
        Assert.Equal(("Success", "deployments", "apps"), (body["status"]!.GetValue<string>(),
            body["details"]!["kind"]!.GetValue<string>(), body["details"]!["group"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Job_delete_without_policy_returns_the_job_with_the_orphan_finalizer_like_the_recording()
    {
        await ApplyAsync("/apis/batch/v1/namespaces/default/jobs/once",
            """{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"once"},"spec":{"template":{}}}""");

        var response = await Http.DeleteAsync("/apis/batch/v1/namespaces/default/jobs/once");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var recorded = Fixtures.Json("delete-job-returns-object-with-orphan-finalizer.json");

        Assert.Equal(recorded["kind"]!.GetValue<string>(), body["kind"]!.GetValue<string>());
        Assert.Equal(recorded["metadata"]!["finalizers"]!.ToJsonString(), body["metadata"]!["finalizers"]!.ToJsonString());
        Assert.NotNull(body["metadata"]!["deletionTimestamp"]);
    }

    [Fact]
    public async Task Garbage_continue_token_is_the_recorded_400()
    {
        var (response, body) = await GetAsync("/api/v1/namespaces/default/configmaps?limit=1&continue=garbage");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(Fixtures.Json("status-400-invalid-continue-token.json"), body), body.ToJsonString());
    }

    [Fact]
    public async Task New_crd_answers_like_the_recording_then_becomes_established_and_discoverable()
    {
        var recordedCreate = Fixtures.ReplayBody("replay-v1.36-custom-resource-definition.json", 0);
        var response = await ApplyAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", Crd);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(recordedCreate["status"]!["conditions"]?.ToJsonString(), created["status"]!["conditions"]?.ToJsonString());
        Assert.Equal(recordedCreate["status"]!["acceptedNames"]!.ToJsonString(), created["status"]!["acceptedNames"]!.ToJsonString());

        var (_, fetched) = await GetAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
        Assert.Contains(fetched["status"]!["conditions"]!.AsArray(), c => c!["type"]!.GetValue<string>() == "Established");
        var (_, discovery) = await GetAsync("/apis/example.com/v1");
        Assert.Equal("Widget", discovery["resources"]![0]!["kind"]!.GetValue<string>());

        await ApplyAsync("/apis/example.com/v1/namespaces/default/widgets/w1",
            """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"size":3}}""");
        var (_, list) = await GetAsync("/apis/example.com/v1/namespaces/default/widgets");
        var recordedList = Fixtures.ReplayBody("replay-v1.36-custom-resource-definition.json", 5);
        Assert.Equal("", list["metadata"]!["continue"]!.GetValue<string>());
        Assert.Equal(recordedList["metadata"]!["continue"]!.GetValue<string>(), list["metadata"]!["continue"]!.GetValue<string>());
        Assert.Equal("Widget", list["items"]![0]!["kind"]!.GetValue<string>());
    }

    internal const string Crd = """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"widgets.example.com"},
         "spec":{"group":"example.com","scope":"Namespaced",
                 "names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
                 "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
        """;

    private async Task<(HttpResponseMessage Response, JsonNode Body)> GetAsync(string path)
    {
        var response = await Http.GetAsync(path);
        return (response, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private Task<HttpResponseMessage> ApplyAsync(string path, string body, string manager = "test", bool force = true) =>
        Http.PatchAsync(path + $"?fieldManager={manager}&force={(force ? "true" : "false")}",
            new StringContent(body, Encoding.UTF8, "application/apply-patch+yaml"));

    private static List<string> Keys(JsonNode node) => node.AsObject().Select(p => p.Key).ToList();

    private static List<string> Summary(JsonNode list) => list["resources"]!.AsArray()
        .Select(r => $"{r!["name"]}|{r["kind"]}|{r["namespaced"]}|{string.Join(',', r["verbs"]!.AsArray().Select(v => v!.GetValue<string>()).Order())}")
        .Order().ToList();
}
