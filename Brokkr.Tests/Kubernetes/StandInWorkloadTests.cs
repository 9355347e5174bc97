using System.Net;
using System.Text.Json.Nodes;

namespace Brokkr.Tests.Kubernetes;

/// <summary>
/// Pods, events and pod logs seeded into the stand-in, read back over HTTP in the shapes a real API server answers:
/// the recorded PodList, core/v1 EventList, and the <c>pods/log</c> subresource's plain text and refusals.
/// </summary>
public sealed class StandInWorkloadTests : StandInOverHttp
{
    private const string RecordedPod = "k8s-openapi-tests-create-job-5bhw4";

    /// <summary>The PodList a v1.36 server answered (replay-v1.36-job-create.json [7]).</summary>
    private static JsonObject RecordedList() => Fixtures.ReplayBody("replay-v1.36-job-create.json", 7).AsObject();

    [Fact]
    public async Task A_seeded_pod_is_listed_in_the_recorded_pod_list_shape_and_selected_by_label()
    {
        var recorded = RecordedList();
        var pod = (JsonObject)recorded["items"]![0]!.DeepClone();
        StandIn.Workloads.AddPod(pod);

        var list = await JsonAsync("/api/v1/namespaces/default/pods");
        Assert.Equal(Keys(recorded), Keys(list));
        Assert.Equal(Keys(recorded["metadata"]!), Keys(list["metadata"]!));
        Assert.Equal(("PodList", "v1"), (list["kind"]!.GetValue<string>(), list["apiVersion"]!.GetValue<string>()));
        var item = Assert.Single(list["items"]!.AsArray())!.AsObject();
        // As stored, but for the server's own resourceVersion; list items carry no kind or apiVersion.
        var expected = (JsonObject)recorded["items"]![0]!.DeepClone();
        expected["metadata"]!["resourceVersion"] = item["metadata"]!["resourceVersion"]!.DeepClone();
        Assert.True(JsonNode.DeepEquals(expected, item), item.ToJsonString());

        Assert.Single((await JsonAsync("/api/v1/namespaces/default/pods?labelSelector=job-name%3Dk8s-openapi-tests-create-job"))["items"]!.AsArray());
        Assert.Empty((await JsonAsync("/api/v1/namespaces/default/pods?labelSelector=job-name%3Dother"))["items"]!.AsArray());
        Assert.Empty((await JsonAsync("/api/v1/namespaces/kube-system/pods"))["items"]!.AsArray());
        Assert.Equal(RecordedPod, (await JsonAsync($"/api/v1/namespaces/default/pods/{RecordedPod}"))["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Seeded_events_are_a_core_v1_event_list_of_their_namespace()
    {
        StandIn.Workloads.AddEvent("default", "Pod", "web-1", "Warning", "BackOff", "Back-off restarting failed container", count: 7);
        StandIn.Workloads.AddEvent("kube-system", "Pod", "dns", "Normal", "Pulled", "pulled");

        var list = await JsonAsync("/api/v1/namespaces/default/events");
        Assert.Equal(("EventList", "v1"), (list["kind"]!.GetValue<string>(), list["apiVersion"]!.GetValue<string>()));
        var evt = Assert.Single(list["items"]!.AsArray())!;
        Assert.Null(evt["kind"]);
        Assert.Equal(("Warning", "BackOff", 7), (evt["type"]!.GetValue<string>(), evt["reason"]!.GetValue<string>(), evt["count"]!.GetValue<int>()));
        Assert.Equal(("Pod", "web-1", "default"), (evt["involvedObject"]!["kind"]!.GetValue<string>(),
            evt["involvedObject"]!["name"]!.GetValue<string>(), evt["involvedObject"]!["namespace"]!.GetValue<string>()));
        Assert.NotNull(evt["lastTimestamp"]?.GetValue<string>());
        Assert.NotNull(evt["metadata"]!["uid"]);
    }

    [Fact]
    public async Task Pod_logs_are_plain_text_cut_by_tail_lines_then_limit_bytes()
    {
        StandIn.Workloads.AddPod(TwoContainerPod("web-1"));
        StandIn.Workloads.SetLog("default", "web-1", "app", "one\ntwo\nthree\nfour\n");

        using var response = await Http.GetAsync("/api/v1/namespaces/default/pods/web-1/log?container=app");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("one\ntwo\nthree\nfour\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("three\nfour\n", await TextAsync("/api/v1/namespaces/default/pods/web-1/log?container=app&tailLines=2"));
        Assert.Equal("three", await TextAsync("/api/v1/namespaces/default/pods/web-1/log?container=app&tailLines=2&limitBytes=5"));
        Assert.Equal("", await TextAsync("/api/v1/namespaces/default/pods/web-1/log?container=sidecar&tailLines=100"));
    }

    [Fact]
    public async Task Pod_log_requests_are_refused_as_the_api_server_refuses_them()
    {
        StandIn.Workloads.AddPod(TwoContainerPod("web-1"));

        var (missing, notFound) = await StatusAsync("/api/v1/namespaces/default/pods/gone/log");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal(Keys(Fixtures.Json("status-404-not-found.json")), Keys(notFound));
        Assert.Equal(("NotFound", "pods \"gone\" not found", "pods"), (notFound["reason"]!.GetValue<string>(),
            notFound["message"]!.GetValue<string>(), notFound["details"]!["kind"]!.GetValue<string>()));

        var (ambiguous, which) = await StatusAsync("/api/v1/namespaces/default/pods/web-1/log");
        Assert.Equal(HttpStatusCode.BadRequest, ambiguous);
        Assert.Equal("a container name must be specified for pod web-1, choose one of: [app sidecar]", which["message"]!.GetValue<string>());
        var (wrong, invalid) = await StatusAsync("/api/v1/namespaces/default/pods/web-1/log?container=db");
        Assert.Equal((HttpStatusCode.BadRequest, "container db is not valid for pod web-1"), (wrong, invalid["message"]!.GetValue<string>()));
        var (negative, options) = await StatusAsync("/api/v1/namespaces/default/pods/web-1/log?container=app&tailLines=-1&limitBytes=0");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "Invalid"), (negative, options["reason"]!.GetValue<string>()));
        Assert.Equal(["tailLines", "limitBytes"], options["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.GetValue<string>()));
    }

    private static JsonObject TwoContainerPod(string name) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "web" }, new JsonObject { ["name"] = "sidecar", ["image"] = "proxy" }),
        },
        ["status"] = new JsonObject { ["phase"] = "Running" },
    };

    private async Task<JsonNode> JsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<string> TextAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<(HttpStatusCode, JsonNode)> StatusAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Status", body["kind"]!.GetValue<string>());
        return (response.StatusCode, body);
    }

    private static List<string> Keys(JsonNode node) => node.AsObject().Select(p => p.Key).ToList();
}
