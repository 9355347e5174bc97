using System.Globalization;
using OpenTelemetry.Trace;

namespace Brokkr.ServiceDefaults.Tracing;

/// <summary>
/// The sampler named by OTEL_TRACES_SAMPLER (and its OTEL_TRACES_SAMPLER_ARG), as the OpenTelemetry SDK environment
/// specification defines them. Unset means parentbased_always_on: every trace this service starts is recorded, and a
/// request joins its caller's sampling decision. An unknown sampler or an invalid ratio falls back to the default
/// (ratio 1.0) with a warning, as the specification prescribes for environment configuration.
/// </summary>
internal static class TraceSamplers
{
    public const string Default = "parentbased_always_on";

    public static Sampler From(string? name, string? argument, List<string> warnings)
    {
        switch (name?.ToLowerInvariant() ?? Default)
        {
            case "always_on":
                return new AlwaysOnSampler();
            case "always_off":
                return new AlwaysOffSampler();
            case "traceidratio":
                return new TraceIdRatioBasedSampler(Ratio(argument, warnings));
            case "parentbased_always_on":
                return new ParentBasedSampler(new AlwaysOnSampler());
            case "parentbased_always_off":
                return new ParentBasedSampler(new AlwaysOffSampler());
            case "parentbased_traceidratio":
                return new ParentBasedSampler(new TraceIdRatioBasedSampler(Ratio(argument, warnings)));
            default:
                warnings.Add($"OTEL_TRACES_SAMPLER '{name}' is not supported (always_on, always_off, traceidratio, " +
                    $"parentbased_always_on, parentbased_always_off, parentbased_traceidratio); using {Default}.");
                return new ParentBasedSampler(new AlwaysOnSampler());
        }
    }

    private static double Ratio(string? argument, List<string> warnings)
    {
        if (argument is null)
        {
            return 1.0;
        }

        if (double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1)
        {
            return ratio;
        }

        warnings.Add($"OTEL_TRACES_SAMPLER_ARG '{argument}' is not a probability between 0 and 1; using 1.0.");
        return 1.0;
    }
}
