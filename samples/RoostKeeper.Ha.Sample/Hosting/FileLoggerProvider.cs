using System.Globalization;
using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Sample.Hosting;

/// <summary>
/// Writes every replica's logs to one file, one line per entry with time, level, category, event id and the
/// replica's name, so the walk-through's console shows only the story. Warnings and errors are counted for
/// the summary.
/// </summary>
internal sealed class FileLoggerProvider : ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly StreamWriter _writer;
    private readonly TimeProvider _time;
    private int _warnings;
    private int _errors;

    public FileLoggerProvider(string path, TimeProvider time)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _writer = new StreamWriter(new FileStream(Path, FileMode.Create, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        _time = time;
    }

    public string Path { get; }

    public int Warnings => Volatile.Read(ref _warnings);

    public int Errors => Volatile.Read(ref _errors);

    /// <summary>A logger provider for one replica: the same file, the replica's name on each line.</summary>
    public ILoggerProvider For(string replica) => new Scoped(this, replica);

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, "sample", categoryName);

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }

    private void Write(string replica, string category, LogLevel level, EventId id, string message, Exception? exception)
    {
        if (level >= LogLevel.Error)
        {
            Interlocked.Increment(ref _errors);
        }
        else if (level == LogLevel.Warning)
        {
            Interlocked.Increment(ref _warnings);
        }

        var line = string.Create(CultureInfo.InvariantCulture, $"{_time.GetUtcNow():HH:mm:ss.fff} {Short(level)} {replica} {category}[{id.Id}] {message}");
        lock (_gate)
        {
            try
            {
                _writer.WriteLine(line);
                if (exception is not null)
                {
                    _writer.WriteLine("    " + exception.ToString().Replace("\n", "\n    ", StringComparison.Ordinal));
                }
            }
            catch (ObjectDisposedException)
            {
                // A late log line from a replica still stopping after the run closed the file.
            }
        }
    }

    private static string Short(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "WARN",
        LogLevel.Error => "FAIL",
        _ => "CRIT",
    };

    private sealed class Scoped(FileLoggerProvider file, string replica) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new FileLogger(file, replica, categoryName);

        public void Dispose()
        {
            // The file belongs to the outer provider.
        }
    }

    private sealed class FileLogger(FileLoggerProvider file, string replica, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                file.Write(replica, category, logLevel, eventId, formatter(state, exception), exception);
            }
        }
    }
}
