using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Brokkr.Broker.Metrics;

/// <summary>The <c>brokkr_http_*</c> instruments (issue 5, seed 004).</summary>
public sealed class HttpMetrics
{
    public static readonly double[] DurationBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    public static readonly long[] SizeBuckets = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

    private static readonly string[] StatusLabels = Enumerable.Range(0, 600).Select(s => s.ToString()).ToArray();

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _inFlight;
    private readonly Histogram<long> _requestSize;
    private readonly Histogram<long> _responseSize;

    public HttpMetrics(BrokerMeter meter)
    {
        var m = meter.Meter;
        _requests = m.CreateCounter<long>("brokkr_http_requests_total",
            description: "HTTP requests served, by matched route, method and status code");
        _duration = m.CreateHistogram<double>("brokkr_http_request_duration_seconds", "s",
            "Time from request start to response completion", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _inFlight = m.CreateUpDownCounter<long>("brokkr_http_requests_in_flight", description: "HTTP requests being processed");
        _requestSize = m.CreateHistogram<long>("brokkr_http_request_size_bytes", "By", "HTTP request body size",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SizeBuckets });
        _responseSize = m.CreateHistogram<long>("brokkr_http_response_size_bytes", "By", "HTTP response body size",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SizeBuckets });
        // Label-free, so present at zero from startup; the labelled families get series as routes are used.
        _inFlight.Add(0);
    }

    public void Started() => _inFlight.Add(1);

    public void Finished(string endpoint, string method, int status, double seconds, long requestBytes, long responseBytes)
    {
        _inFlight.Add(-1);
        var route = new TagList { { "endpoint", endpoint }, { "method", method } };
        _duration.Record(seconds, route);
        _requestSize.Record(requestBytes, route);
        _responseSize.Record(responseBytes, route);
        route.Add("status", status is >= 0 and < 600 ? StatusLabels[status] : status.ToString());
        _requests.Add(1, route);
    }
}
