using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Brokkr.Agent.Broker;

/// <summary>
/// The broker client's resilience pipeline, built from Microsoft.Extensions.Http.Resilience's strategies in the order
/// of its standard handler (total timeout, retry, circuit breaker, attempt timeout).
/// </summary>
public static class BrokerResilience
{
    /// <param name="attemptTimeout">How long one request may take (the agent's broker request timeout).</param>
    public static IHttpClientBuilder AddBrokerResilience(this IHttpClientBuilder http, TimeSpan attemptTimeout)
    {
        http.AddResilienceHandler("broker", pipeline =>
        {
            // The network runs in real time, whatever clock the agent's loop is given (tests give it a fake one).
            pipeline.TimeProvider = TimeProvider.System;
            pipeline
                .AddTimeout(attemptTimeout * 3 + TimeSpan.FromSeconds(1))
                .AddRetry(new HttpRetryStrategyOptions
                {
                    // Reads (target state, the agent's record, readiness) may be retried; a POST, PATCH or DELETE never
                    // is: an event, a heartbeat or a registration must not reach the broker twice. The control loop
                    // backs off itself, so retries are few and quick — they only smooth over a dropped connection or
                    // a broker restarting.
                    MaxRetryAttempts = 2,
                    Delay = TimeSpan.FromMilliseconds(200),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                }.WithoutUnsafeMethods())
                // The handler's default thresholds; the sampling window must hold at least two attempts.
                .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions { SamplingDuration = attemptTimeout * 2 })
                .AddTimeout(attemptTimeout);
        });
        return http;
    }

    private static HttpRetryStrategyOptions WithoutUnsafeMethods(this HttpRetryStrategyOptions options)
    {
        options.DisableForUnsafeHttpMethods();
        return options;
    }
}
