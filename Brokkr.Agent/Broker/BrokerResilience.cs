using Microsoft.Extensions.Http.Resilience;

namespace Brokkr.Agent.Broker;

/// <summary>The broker client's resilience pipeline: Microsoft.Extensions.Http.Resilience's standard handler, tuned.</summary>
public static class BrokerResilience
{
    /// <param name="attemptTimeout">How long one request may take (the agent's broker request timeout).</param>
    public static IHttpClientBuilder AddBrokerResilience(this IHttpClientBuilder http, TimeSpan attemptTimeout)
    {
        http.AddStandardResilienceHandler(options => Configure(options, attemptTimeout));
        return http;
    }

    public static void Configure(HttpStandardResilienceOptions options, TimeSpan attemptTimeout)
    {
        // Reads (target state, the agent's record, readiness) may be retried; a POST, PATCH or DELETE never is: an
        // event, a heartbeat or a registration must not reach the broker twice. The control loop backs off itself,
        // so retries are few and quick — they only smooth over a dropped connection or a broker restarting.
        options.Retry.DisableForUnsafeHttpMethods();
        options.Retry.MaxRetryAttempts = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.AttemptTimeout.Timeout = attemptTimeout;
        options.TotalRequestTimeout.Timeout = attemptTimeout * 3 + TimeSpan.FromSeconds(1);
        // The handler requires a sampling window of at least two attempts.
        options.CircuitBreaker.SamplingDuration = attemptTimeout * 2;
    }
}
