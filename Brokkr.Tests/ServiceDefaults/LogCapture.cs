using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Brokkr.Tests.ServiceDefaults;

/// <summary>An <see cref="ILoggerProvider"/> (and logger) keeping every entry as "Level: message" for assertions.</summary>
internal sealed class LogCapture : ILoggerProvider, ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");

    public void Dispose()
    {
    }
}
