using System.Diagnostics;
using System.Text.Json;
using Brokkr.Broker.Api.V1.DeploymentObjects;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Brokkr.Broker.Metrics;
using Brokkr.Broker.Templates;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Templates;

public sealed record TemplateInstantiationRequest(Guid TemplateId, JsonElement Parameters);

/// <summary>
/// Renders one template version into a stack as a new deployment object. In order: the stack is the caller's, the
/// template is readable by it, the stack carries every label and annotation of the template, the parameters satisfy
/// the schema, the template renders, and the result is a deployment object like any posted one. Only then is anything
/// written: the object and its provenance (template, version, parameters), in one transaction.
/// </summary>
public static class TemplateInstantiationApi
{
    public const string TemplateIdHeader = "Brokkr-Template-Id";
    public const string TemplateVersionHeader = "Brokkr-Template-Version";

    public static RouteGroupBuilder MapTemplateInstantiationApi(this RouteGroupBuilder api)
    {
        api.MapPost("/stacks/{stack_id}/deployment-objects/from-template", Instantiate).WithTags("Stacks");
        return api;
    }

    private static async Task<Created<DeploymentObject>> Instantiate(Guid stack_id, Caller caller, Json<TemplateInstantiationRequest> body,
        BrokkrDbContext db, BusinessMetrics metrics, TemplateMetrics templateMetrics, HttpResponse response)
    {
        await db.OwnedStackAsync(stack_id, caller);
        var request = body.Value;
        var template = await db.ReadableTemplateAsync(request.TemplateId, caller);
        await RequireMatchAsync(db, template.Id, stack_id);
        var submission = await RenderAsync(template, request.Parameters, templateMetrics);
        var deploymentObject = await DeploymentObjectStore.AppendAsync(db, metrics, stack_id, submission, created =>
            db.RenderedDeploymentObjects.Add(new RenderedDeploymentObject
            {
                Id = Guid.CreateVersion7(),
                DeploymentObjectId = created.Id,
                TemplateId = template.Id,
                TemplateVersion = template.Version,
                TemplateParameters = request.Parameters.GetRawText(),
            }));
        // The body is the contract's DeploymentObject; which version rendered it travels beside it.
        response.Headers[TemplateIdHeader] = template.Id.ToString();
        response.Headers[TemplateVersionHeader] = template.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Created($"/api/v1/deployment-objects/{deploymentObject.Id}", deploymentObject);
    }

    /// <summary>Parameters checked, template rendered, output checked as a deployment object; each outcome counted.</summary>
    private static async Task<DeploymentObjectSubmission> RenderAsync(StackTemplate template, JsonElement parameters, TemplateMetrics metrics)
    {
        try
        {
            if (parameters.ValueKind != JsonValueKind.Object)
            {
                throw new ApiException(StatusCodes.Status400BadRequest, "invalid_parameters", "parameters must be a JSON object",
                    new Dictionary<string, object> { ["validation_errors"] = new[] { "/: parameters must be a JSON object" } });
            }
            ParameterSchema.Validate(template.ParametersSchema, parameters);
        }
        catch (ApiException)
        {
            metrics.Render(TemplateMetrics.InvalidParameters);
            throw;
        }
        var started = Stopwatch.GetTimestamp();
        string rendered;
        try
        {
            rendered = await TemplateEngine.RenderAsync(template.TemplateContent, parameters);
        }
        catch (ApiException)
        {
            metrics.Render(TemplateMetrics.RenderFailed);
            throw;
        }
        finally
        {
            metrics.RenderDuration(Stopwatch.GetElapsedTime(started));
        }
        try
        {
            var submission = DeploymentObjectSubmission.FromYaml(rendered);
            metrics.Render(TemplateMetrics.Rendered);
            return submission;
        }
        catch (ApiException e)
        {
            metrics.Render(TemplateMetrics.InvalidOutput);
            throw new ApiException(e.Status, e.Code, $"the template rendered into an invalid deployment object: {e.Message}");
        }
    }

    /// <summary>Upstream's rule: every template label, and every template annotation (key and value), must be on the stack.</summary>
    private static async Task RequireMatchAsync(BrokkrDbContext db, Guid templateId, Guid stackId)
    {
        var missingLabels = await db.TemplateLabels.Where(l => l.TemplateId == templateId)
            .Where(l => !db.StackLabels.Any(s => s.StackId == stackId && s.Label == l.Label))
            .OrderBy(l => l.Label).Select(l => l.Label).ToListAsync();
        var missingAnnotations = await db.TemplateAnnotations.Where(a => a.TemplateId == templateId)
            .Where(a => !db.StackAnnotations.Any(s => s.StackId == stackId && s.Key == a.Key && s.Value == a.Value))
            .OrderBy(a => a.Key).Select(a => a.Key + "=" + a.Value).ToListAsync();
        if (missingLabels.Count + missingAnnotations.Count > 0)
        {
            throw new ApiException(StatusCodes.Status422UnprocessableEntity, "template_stack_mismatch",
                "the stack lacks labels or annotations the template requires",
                new Dictionary<string, object> { ["missing_labels"] = missingLabels, ["missing_annotations"] = missingAnnotations });
        }
    }
}
