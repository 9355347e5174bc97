using System.Diagnostics.Metrics;

namespace Brokkr.Benchmarks;

/// <summary>
/// Cost of one GET /metrics with the process's own families plus <c>series</c> extra series, spread over counter
/// families of at most 1,000 label sets each (below OpenTelemetry's default cardinality limit of 2,000 per family).
/// </summary>
internal static class ScrapeBenchmark
{
    public static async Task<Measurement> RunAsync(int series, int operations)
    {
        await using var host = await BenchmarkHost.StartAsync(TelemetryMode.MetricsAndTracing);
        using var meter = new Meter("Brokkr.Benchmarks");
        const int seriesPerFamily = 1_000;
        for (var family = 0; family * seriesPerFamily < series; family++)
        {
            var counter = meter.CreateCounter<long>($"brokkr_benchmark_items_{family}_total", null, "Synthetic series for the scrape benchmark.");
            for (var i = family * seriesPerFamily; i < Math.Min(series, (family + 1) * seriesPerFamily); i++)
            {
                counter.Add(1, new KeyValuePair<string, object?>("item", "item-" + i));
            }
        }

        var size = (await host.Client.GetStringAsync("/metrics")).Length;
        return await Measurement.RunAsync($"scrape, {series:N0} series ({size / 1024:N0} KiB)", warmup: 20, operations,
            () => ScrapeAsync(host.Client));
    }

    /// <summary>
    /// Reads the whole body and keeps none of it, as a scraper in another process costs this one nothing: decoding
    /// half a megabyte into a string here would put the client's large-object allocations and the collections they
    /// cause into the exporter's figures.
    /// </summary>
    private static async Task ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.CopyToAsync(Stream.Null);
    }
}
