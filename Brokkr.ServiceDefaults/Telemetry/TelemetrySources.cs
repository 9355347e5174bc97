namespace Brokkr.ServiceDefaults.Telemetry;

/// <summary>Activity sources traced besides the ASP.NET Core and HttpClient instrumentations.</summary>
internal static class TelemetrySources
{
    public static readonly string[] Traces = ["Brokkr.*", "Npgsql"];
}
