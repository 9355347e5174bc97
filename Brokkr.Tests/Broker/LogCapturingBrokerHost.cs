using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Brokkr.Tests.Broker;

/// <summary>A <see cref="BrokerHost"/> whose log lines (as far as its log levels let them through) tests can read.</summary>
public abstract class LogCapturingBrokerHost : BrokerHost
{
    public ConcurrentQueue<string> Lines { get; } = new();

    protected override void Configure(WebApplicationBuilder builder) =>
        builder.Logging.AddProvider(new CapturingLoggerProvider(Lines));
}
