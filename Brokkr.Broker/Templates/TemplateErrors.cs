using Brokkr.Broker.Errors;

namespace Brokkr.Broker.Templates;

/// <summary>The template errors of the contract, in one place so create, update and render word them alike.</summary>
public static class TemplateErrors
{
    /// <summary>Malformed Tera: an unclosed delimiter or block, a filter missing an argument (400, upstream's code).</summary>
    public static ApiException Syntax(string message) => ApiException.BadRequest("invalid_template_syntax", message);

    /// <summary>
    /// Well-formed Tera the broker does not render (macros, includes, math, tests...): refused rather than rendered
    /// differently from upstream. <paramref name="construct"/> names it, e.g. <c>tag {% macro %}</c>.
    /// </summary>
    public static ApiException Unsupported(string construct, int line) => new(StatusCodes.Status422UnprocessableEntity,
        "unsupported_template_construct", $"line {line}: {construct} is outside the Tera subset this broker renders",
        new Dictionary<string, object> { ["construct"] = construct, ["line"] = line });

    public static ApiException Render(string message) => ApiException.BadRequest("template_render_failed", message);
}

/// <summary>Thrown while rendering (an undefined variable, a filter given the wrong kind of value).</summary>
public sealed class TemplateRenderException(string message) : Exception(message);
