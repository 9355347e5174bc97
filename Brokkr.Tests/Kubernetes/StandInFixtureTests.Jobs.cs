using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Storage;
using Brokkr.Tests.AppHost.Testing;

namespace Brokkr.Tests.Kubernetes;

/// <summary>
/// The Job part: the stand-in's Job controller against a real v1.36 Job's life (replay-v1.36-job-create.json: create, running, then
/// Failed with BackoffLimitExceeded, then delete): the status the create answers, the running status, and the terminal
/// conditions the agent's watch reads, compared by shape — keys, condition types, status, reason and message — since
/// uids and timestamps differ by nature.
/// </summary>
public sealed partial class StandInFixtureTests
{
    private const string JobReplay = "replay-v1.36-job-create.json";
    private const string JobsPath = "/apis/batch/v1/namespaces/default/jobs/";

    [Fact]
    public async Task A_failing_Job_answers_create_running_and_Failed_like_the_recording()
    {
        // No outcome annotation: the Job runs until the test fails it, so its running status is certain to be seen.
        var (status, created) = await ApplyJobAsync("recorded", null);
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(201, RecordedJob(0).Status);
        Assert.True(JsonNode.DeepEquals(RecordedJob(0).Body["status"], created["status"]), created["status"]!.ToJsonString());

        var running = await Poll.UntilAsync(() => GetJobAsync("recorded"), j => j["status"]!["startTime"] is not null,
            TimeSpan.FromSeconds(10), "the Job started");
        var recordedRunning = RecordedJob(2).Body["status"]!;
        Assert.Equal(Keys(recordedRunning), Keys(running["status"]!));
        Assert.Equal(Values(recordedRunning, "active", "terminating", "ready"), Values(running["status"]!, "active", "terminating", "ready"));
        Assert.Null(JobWatcherTerminal(running));

        Assert.True(StandIn.Lifecycle.Jobs.Finish("default", "recorded", succeeded: false));
        var failed = await GetJobAsync("recorded");
        var recordedFailed = RecordedJob(6).Body["status"]!;
        Assert.Equal(Keys(recordedFailed).Order(), Keys(failed["status"]!).Order());
        Assert.Equal(Conditions(recordedFailed), Conditions(failed["status"]!));
        Assert.Equal(Keys(recordedFailed["conditions"]![0]!), Keys(failed["status"]!["conditions"]![0]!));
        Assert.Equal(recordedFailed["failed"]!.GetValue<int>(), failed["status"]!["failed"]!.GetValue<int>());
        Assert.Null(failed["status"]!["active"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", failed["status"]!["conditions"]![1]!["lastTransitionTime"]!.GetValue<string>());
        Assert.Equal(("Failed", "BackoffLimitExceeded: Job has reached the specified backoff limit"), JobWatcherTerminal(failed));
    }

    [Fact]
    public async Task A_successful_Job_ends_with_Complete_in_the_shape_of_the_recorded_terminal_status()
    {
        await ApplyJobAsync("done", "Complete");
        var complete = await Poll.UntilAsync(() => GetJobAsync("done"), j => j["status"]!["conditions"] is not null,
            TimeSpan.FromSeconds(10), "the Job completed");
        var recordedFailed = RecordedJob(6).Body["status"]!;

        // Success is the same status with succeeded/completionTime for failed and SuccessCriteriaMet/Complete.
        Assert.Equal(Keys(recordedFailed).Where(k => k != "failed").Concat(["completionTime", "succeeded"]).Order(),
            Keys(complete["status"]!).Order());
        Assert.Equal(["SuccessCriteriaMet|True", "Complete|True"],
            complete["status"]!["conditions"]!.AsArray().Select(c => $"{c!["type"]}|{c["status"]}"));
        Assert.Equal(Keys(recordedFailed["conditions"]![0]!), Keys(complete["status"]!["conditions"]![1]!));
        Assert.Equal("Complete", JobWatcherTerminal(complete)?.Type);
    }

    [Fact]
    public async Task A_pod_failure_raises_the_counter_without_a_terminal_condition()
    {
        await ApplyJobAsync("retrying", null);
        await Poll.UntilAsync(() => GetJobAsync("retrying"), j => j["status"]!["startTime"] is not null, TimeSpan.FromSeconds(10), "the Job started");
        Assert.True(StandIn.Lifecycle.Jobs.RecordPodFailure("default", "retrying"));

        var job = await GetJobAsync("retrying");
        Assert.Equal(1, job["status"]!["failed"]!.GetValue<int>());
        Assert.Null(job["status"]!["conditions"]);
        Assert.Null(JobWatcherTerminal(job));
    }

    [Fact]
    public async Task Deleting_a_finished_Job_answers_the_Job_with_its_conditions_and_the_orphan_finalizer_like_the_recording()
    {
        await ApplyJobAsync("gone", "Failed");
        await Poll.UntilAsync(() => GetJobAsync("gone"), j => j["status"]!["conditions"] is not null, TimeSpan.FromSeconds(10), "the Job failed");

        var response = await Http.DeleteAsync(JobsPath + "gone");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var recorded = RecordedJob(8);
        Assert.Equal(recorded.Status, (int)response.StatusCode);
        Assert.Equal(recorded.Body["kind"]!.GetValue<string>(), body["kind"]!.GetValue<string>());
        Assert.Equal(recorded.Body["metadata"]!["finalizers"]!.ToJsonString(), body["metadata"]!["finalizers"]!.ToJsonString());
        Assert.Equal(Conditions(recorded.Body["status"]!), Conditions(body["status"]!));
    }

    private static (int Status, JsonNode Body) RecordedJob(int index) =>
        (Fixtures.Json(JobReplay)[index]!["response_status_code"]!.GetValue<int>(), Fixtures.ReplayBody(JobReplay, index));

    /// <summary>The recorded create body, renamed, with the outcome annotation the stand-in plays out.</summary>
    private async Task<(HttpStatusCode, JsonNode)> ApplyJobAsync(string name, string? outcome)
    {
        var job = JsonNode.Parse(Fixtures.Json(JobReplay)[0]!["request_body"]!.GetValue<string>())!.AsObject();
        job["metadata"]!["name"] = name;
        if (outcome is not null)
        {
            job["metadata"]!["annotations"] = new JsonObject { [JobController.OutcomeAnnotation] = outcome };
        }
        var response = await Http.PatchAsync(JobsPath + name + "?fieldManager=test&force=true",
            new StringContent(job.ToJsonString(), Encoding.UTF8, "application/apply-patch+yaml"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private async Task<JsonNode> GetJobAsync(string name) => JsonNode.Parse(await Http.GetStringAsync(JobsPath + name))!;

    private static List<int> Values(JsonNode status, params string[] keys) => keys.Select(k => status[k]!.GetValue<int>()).ToList();

    private static List<string> Conditions(JsonNode status) => status["conditions"]!.AsArray()
        .Select(c => $"{c!["type"]}|{c["status"]}|{c["reason"]}|{c["message"]}").ToList();

    private static (string Type, string Detail)? JobWatcherTerminal(JsonNode job) => Brokkr.Agent.WorkOrders.JobWatcher.Terminal(job.AsObject());
}
