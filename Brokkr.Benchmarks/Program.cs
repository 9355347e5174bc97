using Brokkr.Benchmarks;

// Usage: Brokkr.Benchmarks scrape <series> <operations> | http <none|metrics|metrics+tracing> <operations>
// scripts/benchmark.sh runs every scenario in its own process and prints the Markdown table docs/benchmarks.md holds.
// Brokkr.Benchmarks broker-metrics [--rounds N ...]: scripts/benchmark-broker-metrics.sh (issue 5).
// Brokkr.Benchmarks fleet-view [--fleets 10000,20000 --requests 20 --explain]: scripts/benchmark-fleet.sh --view-only (issue 21).
// Brokkr.Benchmarks fleet [--agents N --stacks S --targets T --seconds N --concurrency 4,16,64]: scripts/benchmark-fleet.sh (issue 17).
// Brokkr.Benchmarks channel [--agents N --stacks S --targets T --changes C]: scripts/benchmark-ws.sh (issue 22).
if (args is ["fleet", .. var fleetArgs])
{
    return await FleetBenchmark.RunAsync(FleetBenchmark.Settings.Parse(fleetArgs));
}
if (args is ["channel", .. var channelArgs])
{
    return await ChannelBenchmark.RunAsync(ChannelBenchmark.Settings.Parse(channelArgs));
}
if (args is ["fleet-view", .. var fleetViewArgs])
{
    return await FleetViewBenchmark.RunAsync(FleetViewBenchmark.Settings.Parse(fleetViewArgs));
}
if (args is ["broker-metrics", .. var brokerArgs])
{
    return await BrokerMetricsBenchmark.RunAsync(BenchmarkSettings.Parse(brokerArgs));
}

var measurement = args switch
{
    ["scrape", var series, var operations] => await ScrapeBenchmark.RunAsync(int.Parse(series), int.Parse(operations)),
    ["http", var mode, var operations] when TelemetryModes.ByName.TryGetValue(mode, out var telemetry) =>
        await HttpInstrumentationBenchmark.RunAsync(telemetry, int.Parse(operations)),
    _ => null,
};

if (measurement is null)
{
    Console.Error.WriteLine("usage: Brokkr.Benchmarks scrape <series> <operations> | http <none|metrics|metrics+tracing> <operations>");
    return 2;
}

Console.WriteLine(measurement);
return 0;
