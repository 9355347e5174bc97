namespace Brokkr.ServiceDefaults;

/// <summary>
/// Tags for health checks. <see cref="Live"/> checks back the liveness endpoints (/healthz, /alive); readiness
/// endpoints (/readyz, /health) run every check, so <see cref="Ready"/> is for documentation and filtering by tools.
/// </summary>
public static class HealthTags
{
    public const string Live = "live";
    public const string Ready = "ready";
}
