using System.Text.Json;
using Fluid;
using Fluid.Values;

namespace Brokkr.Broker.Templates;

/// <summary>
/// Tera templates rendered by Fluid: <see cref="TeraTranslator"/> turns the Tera into Liquid, Fluid parses and renders
/// it with <see cref="TeraFilters"/> and the parameters as the top-level variables. Stateless and thread-safe.
/// </summary>
public static class TemplateEngine
{
    /// <summary>Bounds a render's work and output (a loop over a large parameter, a template nesting loops).</summary>
    public const int MaxSteps = 1_000_000;
    public const int MaxOutputCharacters = 10 * 1024 * 1024;

    // Parentheses carry Tera's precedence into Liquid (see ExpressionWriter); the translator writes every group.
    private static readonly FluidParser Parser = new(new FluidParserOptions { AllowParentheses = true });

    private static readonly TemplateOptions Options = BuildOptions();

    private static TemplateOptions BuildOptions()
    {
        var builder = new TemplateOptionsBuilder()
            .ClearFilters()
            .WithStrictFilters(true)
            .WithMaxSteps(MaxSteps)
            .WithMaxOutputSize(MaxOutputCharacters)
            .WithUndefined((name, _) => new ValueTask<FluidValue>(new UndefinedValue(name)));
        foreach (var filter in TeraFilters.Every)
        {
            builder.AddFilter(filter.Name, filter.Apply);
        }
        foreach (var (name, apply) in TeraOperators.Every)
        {
            builder.AddFilter(name, apply);
        }
        return builder.Build();
    }

    /// <summary>Checks a template when it is stored: 400 <c>invalid_template_syntax</c> or 422 <c>unsupported_template_construct</c>.</summary>
    public static IFluidTemplate Compile(string tera)
    {
        var liquid = TeraTranslator.ToLiquid(tera);
        if (!Parser.TryParse(liquid, out var template, out var error))
        {
            throw TemplateErrors.Syntax($"the template does not parse: {error}");
        }
        return template;
    }

    /// <summary>Renders with the parameters (a JSON object); 400 <c>template_render_failed</c> when it cannot.</summary>
    public static async Task<string> RenderAsync(string tera, JsonElement parameters)
    {
        var template = Compile(tera);
        var context = new TemplateContext(Options);
        foreach (var parameter in parameters.EnumerateObject())
        {
            context.SetValue(parameter.Name, ParameterValues.From(parameter.Value, parameter.Name));
        }
        try
        {
            using var writer = new StringWriter();
            await template.RenderAsync(writer, context, NullEncoder.Default, isolateContext: false);
            return writer.ToString();
        }
        catch (TemplateRenderException e)
        {
            throw TemplateErrors.Render(e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // Fluid's own refusals: the step or output limit, a value of the wrong kind for a filter or a loop.
            throw TemplateErrors.Render(e.Message);
        }
    }
}
