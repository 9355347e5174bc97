using System.Diagnostics;
using Brokkr.Wire;

namespace Brokkr.Benchmarks;

/// <summary>
/// The channel benchmark's ingest phase (issue 22: "telemetry ingest rate reported"): every open socket sends
/// <c>frames</c> <c>k8s_event</c> frames for a stack its agent targets, as fast as its socket takes them, and the
/// broker's own counters say when all were written (<c>brokkr_ws_telemetry_written_total</c>) or dropped
/// (<c>brokkr_ws_telemetry_dropped_total</c>). The rate is frames written per second from the first send.
/// </summary>
public static class TelemetryIngest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public sealed record Result(long Sent, long Written, long Dropped, TimeSpan SendTime, TimeSpan WriteTime)
    {
        public double WrittenPerSecond => Written / Math.Max(WriteTime.TotalSeconds, 1e-9);
    }

    public static async Task<Result> RunAsync(HttpClient broker, IReadOnlyList<ChannelConnection> connections,
        Func<ChannelConnection, Guid> stackOf, int frames)
    {
        var (writtenBefore, droppedBefore) = (await SumAsync(broker, "brokkr_ws_telemetry_written_total"),
            await SumAsync(broker, "brokkr_ws_telemetry_dropped_total"));
        var started = Stopwatch.GetTimestamp();
        long sent = 0;
        await Parallel.ForEachAsync(connections, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (connection, _) =>
        {
            var stackId = stackOf(connection);
            for (var i = 0; i < frames && connection.IsOpen; i++)
            {
                var frame = new K8sEventMessage(new WireK8sEvent(connection.Agent.Id, stackId, DateTime.UtcNow, "Benchmark",
                    $"frame {i}", "Normal", "benchmark", new WireObjectRef("v1", "ConfigMap", "default", "bench", null)));
                if (await connection.TrySendAsync(WsCodec.Encode(frame)))
                {
                    Interlocked.Increment(ref sent);
                }
            }
        });
        var sendTime = Stopwatch.GetElapsedTime(started);

        var deadline = started + (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        long written, dropped;
        while (true)
        {
            written = (long)(await SumAsync(broker, "brokkr_ws_telemetry_written_total") - writtenBefore);
            dropped = (long)(await SumAsync(broker, "brokkr_ws_telemetry_dropped_total") - droppedBefore);
            if (written + dropped >= sent || Stopwatch.GetTimestamp() > deadline)
            {
                break;
            }
            await Task.Delay(50);
        }
        return new Result(sent, written, dropped, sendTime, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The sum of every series of a counter family in the broker's exposition (0 before its first series).</summary>
    private static async Task<double> SumAsync(HttpClient broker, string family) =>
        ResourceProbe.SeriesValues(await broker.GetStringAsync("/metrics"), family).Sum();
}
