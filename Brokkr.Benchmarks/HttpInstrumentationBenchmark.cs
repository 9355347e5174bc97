namespace Brokkr.Benchmarks;

/// <summary>
/// One GET of a minimal API route in one <see cref="TelemetryMode"/>: nothing, metrics (the HTTP instrumentation feeding
/// them recorded, traces sampled out), or metrics and tracing (every request's server span recorded and tagged by the
/// span middleware, but not exported). The differences between the modes are the per-request costs. Each mode runs in
/// its own process (scripts/benchmark.sh), because meter and activity listeners are process-wide.
/// </summary>
internal static class HttpInstrumentationBenchmark
{
    public static async Task<Measurement> RunAsync(TelemetryMode mode, int operations)
    {
        await using var host = await BenchmarkHost.StartAsync(mode);
        return await Measurement.RunAsync($"GET /api/v1/items/{{id}}, {mode.Name()}",
            warmup: 2_000, operations, async () =>
            {
                using var response = await host.Client.GetAsync("/api/v1/items/42");
                response.EnsureSuccessStatusCode();
            });
    }
}
