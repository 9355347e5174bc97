namespace Brokkr.Benchmarks;

/// <summary>
/// One GET of a minimal API route, with metrics (and the HTTP instrumentation feeding them) enabled or disabled. The
/// difference between the two runs is the per-request cost of the instrumentation. Each mode runs in its own process
/// (scripts/benchmark.sh), because meter listeners are process-wide.
/// </summary>
internal static class HttpInstrumentationBenchmark
{
    public static async Task<Measurement> RunAsync(bool metricsEnabled, int operations)
    {
        await using var host = await BenchmarkHost.StartAsync(metricsEnabled);
        return await Measurement.RunAsync($"GET /api/v1/items/{{id}}, metrics {(metricsEnabled ? "on" : "off")}",
            warmup: 2_000, operations, async () =>
            {
                using var response = await host.Client.GetAsync("/api/v1/items/42");
                response.EnsureSuccessStatusCode();
            });
    }
}
