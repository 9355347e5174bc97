using System.Net;
using Brokkr.Agent.Kubernetes;

namespace Brokkr.Tests.Kubernetes;

/// <summary>Recorded error bodies become the typed exceptions, keeping the server's Status.</summary>
public sealed class StatusMappingTests
{
    [Fact]
    public void Not_found_status_maps_to_not_found_with_plural_kind()
    {
        var error = KubernetesErrors.FromResponse(HttpStatusCode.NotFound, Fixtures.Text("status-404-not-found.json"));

        var notFound = Assert.IsType<KubernetesNotFoundException>(error);
        Assert.Equal("jobs.batch \"bar\" not found", notFound.Message);
        Assert.Equal(("NotFound", "jobs", "batch", "bar"),
            (notFound.Reason, notFound.Status!.Details!.Kind, notFound.Status.Details.Group, notFound.Status.Details.Name));
        Assert.False(notFound.IsTransient);
    }

    [Fact]
    public void Invalid_status_maps_to_invalid_object_with_causes()
    {
        var error = KubernetesErrors.FromResponse(HttpStatusCode.UnprocessableEntity, Fixtures.Text("status-422-invalid.json"));

        var invalid = Assert.IsType<KubernetesInvalidObjectException>(error);
        Assert.StartsWith("FooBar.k8s-openapi-tests-custom-resource-definition.com \"fb3\" is invalid", invalid.Message);
        var cause = Assert.Single(invalid.Status!.Details!.Causes!);
        Assert.Equal(("FieldValueRequired", "spec.prop2"), (cause.Reason, cause.Field));
        Assert.Equal(422, invalid.Status.Code);
    }

    [Fact]
    public void Bad_request_status_maps_to_invalid_object()
    {
        var error = KubernetesErrors.FromResponse(HttpStatusCode.BadRequest, Fixtures.Text("status-400-invalid-continue-token.json"));

        Assert.IsType<KubernetesInvalidObjectException>(error);
        Assert.Equal("BadRequest", error.Reason);
        Assert.Contains("invalid continue token", error.Message);
    }

    [Fact]
    public void Delete_success_body_is_a_success_status_without_code()
    {
        var status = KubernetesErrors.ParseStatus(Fixtures.Text("status-200-delete-success.json"))!;

        Assert.Equal(("Success", null, "foobars", "fb1"), (status.Status, status.Code, status.Details!.Kind, status.Details.Name));
    }

    [Fact]
    public void Plain_text_404_of_an_unserved_path_is_not_found_without_status()
    {
        var error = KubernetesErrors.FromResponse(HttpStatusCode.NotFound, "404 page not found\n");

        Assert.IsType<KubernetesNotFoundException>(error);
        Assert.Null(error.Status);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "InternalError")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable")]
    [InlineData(HttpStatusCode.TooManyRequests, "TooManyRequests")]
    public void Server_failures_map_to_unavailable_and_are_transient(HttpStatusCode code, string reason)
    {
        var body = $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"boom","reason":"{{reason}}","code":{{(int)code}}}""";

        var error = KubernetesErrors.FromResponse(code, body);

        Assert.IsType<KubernetesUnavailableException>(error);
        Assert.True(error.IsTransient);
        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public void Forbidden_maps_to_access_denied()
    {
        var body = """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"denied","reason":"Forbidden","code":403}""";

        Assert.IsType<KubernetesAccessDeniedException>(KubernetesErrors.FromResponse(HttpStatusCode.Forbidden, body));
    }
}
