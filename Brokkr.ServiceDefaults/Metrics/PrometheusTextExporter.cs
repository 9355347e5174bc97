using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>
/// A pull exporter producing Prometheus text 0.0.4. Register it with
/// <c>AddReader(new BaseExportingMetricReader(exporter))</c>; <see cref="Scrape"/> then collects synchronously through
/// the reader and renders the result. Scrapes are serialised: the SDK hands the batch to <see cref="Export"/> on the
/// collecting thread, and only one collection may be in flight per reader.
/// </summary>
[ExportModes(ExportModes.Pull)]
public sealed class PrometheusTextExporter : BaseExporter<Metric>, IPullMetricExporter
{
    private readonly PublishedInstruments? published;
    private readonly Lock scrapeLock = new();
    private readonly ConcurrentDictionary<string, bool> reportedProblems = new(StringComparer.Ordinal);
    private Dictionary<string, MetricFamily>? collected;

    public PrometheusTextExporter() : this(new PrometheusExporterOptions())
    {
    }

    public PrometheusTextExporter(PrometheusExporterOptions options)
    {
        Options = options;
        published = options.DescribeBeforeFirstPoint is { } describe ? new PublishedInstruments(describe) : null;
    }

    /// <inheritdoc />
    public Func<int, bool>? Collect { get; set; }

    public PrometheusExporterOptions Options { get; }

    /// <summary>Collects all subscribed instruments now and returns the exposition text.</summary>
    /// <exception cref="InvalidOperationException">The exporter is not attached to a reader, or collection failed.</exception>
    public string Scrape()
    {
        var collect = Collect ?? throw new InvalidOperationException("The exporter is not attached to a MeterProvider.");
        lock (scrapeLock)
        {
            collected = null;
            if (!collect(Options.CollectTimeoutMilliseconds))
            {
                throw new InvalidOperationException("Metric collection failed or timed out.");
            }

            var families = collected ?? new Dictionary<string, MetricFamily>(StringComparer.Ordinal);
            collected = null;
            if (Options.IncludeProcessMetrics)
            {
                foreach (var family in ProcessMetrics.Collect())
                {
                    families.TryAdd(family.Name, family);
                }
            }

            foreach (var family in published?.Families() ?? [])
            {
                families.TryAdd(family.Name, family);
            }

            return PrometheusTextWriter.Write(families.Values, Options.GlobalLabels);
        }
    }

    /// <inheritdoc />
    public override ExportResult Export(in Batch<Metric> batch)
    {
        collected = MetricFamilyConverter.Convert(batch, Report);
        return ExportResult.Success;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            published?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Every scrape meets the same problem again; the log gets it once.</summary>
    private void Report(string problem)
    {
        if (reportedProblems.TryAdd(problem, true))
        {
            Options.Logger.LogWarning("Prometheus exposition: {Problem}", problem);
        }
    }
}
