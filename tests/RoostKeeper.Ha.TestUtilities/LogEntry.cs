using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>One entry a <see cref="LogCollector"/> recorded.</summary>
public sealed record LogEntry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);
