using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>
/// Keeps every log entry (category, level, event id, message, exception), so tests can assert what a component
/// logged and how loudly, or wait for a state it logs. Usable as a provider (<c>AddProvider</c>), as a whole
/// <see cref="ILoggerFactory"/>, or as one <see cref="ILogger"/> (<see cref="Logger"/>).
/// </summary>
/// <remarks>
/// Microsoft.Extensions.Diagnostics.Testing's FakeLogger does the same, but it would bring the 10.0
/// Microsoft.Extensions assemblies into the net8.0 test builds, which run on the 8.0 line on purpose
/// (docs/dependencies.md).
/// </remarks>
public sealed class LogCollector : ILoggerProvider, ILoggerFactory
{
    public LogCollector() => Logger = CreateLogger("test");

    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    /// <summary>A logger of category "test" that records into <see cref="Entries"/>.</summary>
    public ILogger Logger { get; }

    public IReadOnlyList<LogEntry> At(LogLevel minimum) => Entries.Where(e => e.Level >= minimum).ToList();

    public IReadOnlyList<LogEntry> WithId(int eventId) => Entries.Where(e => e.EventId == eventId).ToList();

    /// <summary>Whether an entry with <paramref name="eventId"/> has a message containing <paramref name="contains"/>.</summary>
    public bool Has(int eventId, string contains) => Entries.Any(e => e.EventId == eventId && e.Message.Contains(contains, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Recorder(LogCollector collector, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            collector.Entries.Enqueue(new LogEntry(category, logLevel, eventId.Id, formatter(state, exception), exception));
    }
}
