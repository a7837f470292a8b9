using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Tests.Infrastructure;

/// <summary>Keeps every log entry with its level, event id and exception, so tests can assert how loud a component is.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider, ILoggerFactory
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public IReadOnlyList<LogEntry> At(LogLevel minimum) => Entries.Where(e => e.Level >= minimum).ToList();

    public IReadOnlyList<LogEntry> WithId(int eventId) => Entries.Where(e => e.EventId == eventId).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public sealed record LogEntry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);

    private sealed class Logger(RecordingLoggerProvider sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Entries.Enqueue(new LogEntry(category, logLevel, eventId.Id, formatter(state, exception), exception));
    }
}
