using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Tests.Recovery;

/// <summary>Keeps every log message, so a test can wait for a component to reach a state it logs.</summary>
public sealed class ListLogger : ILogger
{
    public ConcurrentQueue<(EventId Id, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((eventId, formatter(state, exception)));

    public bool Has(int eventId, string contains) => Entries.Any(e => e.Id.Id == eventId && e.Message.Contains(contains, StringComparison.Ordinal));
}
