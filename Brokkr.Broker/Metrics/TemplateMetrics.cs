using System.Diagnostics.Metrics;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// Template renders (<c>POST /stacks/{id}/deployment-objects/from-template</c> once access and matching passed): how
/// each ended, from a fixed outcome set that starts at zero, and how long the Tera render itself took.
/// </summary>
public sealed class TemplateMetrics
{
    /// <summary>Rendered into a valid deployment object (then stored, unless the stack went away meanwhile).</summary>
    public const string Rendered = "rendered";

    /// <summary>The parameters failed the template's JSON Schema (400 <c>invalid_parameters</c>).</summary>
    public const string InvalidParameters = "invalid_parameters";

    /// <summary>The render failed: a missing variable, a value of the wrong kind, a limit (400 <c>template_render_failed</c>).</summary>
    public const string RenderFailed = "render_failed";

    /// <summary>The output is no valid deployment object: bad YAML, too deep, too large (400 <c>invalid_deployment_object</c>).</summary>
    public const string InvalidOutput = "invalid_output";

    public static readonly string[] Outcomes = [Rendered, InvalidParameters, RenderFailed, InvalidOutput];

    public static readonly double[] DurationBuckets = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

    private readonly Counter<long> _renders;
    private readonly Histogram<double> _duration;

    public TemplateMetrics(BrokerMeter meter)
    {
        var m = meter.Meter;
        _renders = m.CreateCounter<long>("brokkr_template_renders_total", description: "Template renders into a stack, by outcome");
        _duration = m.CreateHistogram("brokkr_template_render_duration_seconds", "s", "Time the Tera render of one template took",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        foreach (var outcome in Outcomes)
        {
            _renders.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    /// <param name="outcome">One of <see cref="Outcomes"/>.</param>
    public void Render(string outcome) => _renders.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void RenderDuration(TimeSpan elapsed) => _duration.Record(elapsed.TotalSeconds);
}
