namespace Brokkr.Benchmarks;

/// <summary>What a benchmark host records per request.</summary>
internal enum TelemetryMode
{
    /// <summary>OTEL_SDK_DISABLED: no MeterProvider, no TracerProvider — the baseline.</summary>
    None,

    /// <summary>Metrics on, every trace sampled out (OTEL_TRACES_SAMPLER=always_off).</summary>
    Metrics,

    /// <summary>Metrics on and every request traced (OTEL_TRACES_SAMPLER=always_on; no span exporter).</summary>
    MetricsAndTracing,
}

internal static class TelemetryModes
{
    public static readonly IReadOnlyDictionary<string, TelemetryMode> ByName = new Dictionary<string, TelemetryMode>
    {
        ["none"] = TelemetryMode.None,
        ["metrics"] = TelemetryMode.Metrics,
        ["metrics+tracing"] = TelemetryMode.MetricsAndTracing,
    };

    public static string Name(this TelemetryMode mode) => ByName.Single(m => m.Value == mode).Key;

    /// <summary>The configuration that puts a service built with AddServiceDefaults() in this mode.</summary>
    public static Dictionary<string, string?> Settings(this TelemetryMode mode) => mode switch
    {
        TelemetryMode.None => new() { ["OTEL_SDK_DISABLED"] = "true" },
        TelemetryMode.Metrics => new() { ["OTEL_TRACES_SAMPLER"] = "always_off" },
        _ => new() { ["OTEL_TRACES_SAMPLER"] = "always_on" },
    };
}
