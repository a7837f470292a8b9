using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Tests.Sharding;

/// <summary>Writes log lines stamped with the harness's fake time to the harness's own timeline (for assertions and a failing test's message).</summary>
internal sealed class TimelineLogger(Func<TimeSpan> now, string name, ConcurrentQueue<string> lines) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        lines.Enqueue($"{now():mm\\:ss\\.f} {name} {formatter(state, exception)}");
}
