using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Brokkr.Tests.Agent;

/// <summary>Keeps every formatted message with its level, for tests asserting what the agent tells operators.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter) => _entries.Enqueue((logLevel, formatter(state, exception)));
}
