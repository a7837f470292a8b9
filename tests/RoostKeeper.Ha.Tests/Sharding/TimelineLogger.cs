using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Tests.Sharding;

/// <summary>Collects log lines stamped with the harness's fake time, for a failing test's message.</summary>
internal sealed class TimelineLogger(Func<TimeSpan> now, string name) : ILogger
{
    public static ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{now():mm\\:ss\\.f} {name} {formatter(state, exception)}");
}
