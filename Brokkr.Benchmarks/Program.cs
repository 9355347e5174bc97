using Brokkr.Benchmarks;

return await BrokerMetricsBenchmark.RunAsync(BenchmarkSettings.Parse(args));
