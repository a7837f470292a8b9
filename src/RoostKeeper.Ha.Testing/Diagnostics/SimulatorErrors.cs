using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Testing.Diagnostics;

/// <summary>
/// Where the simulator's parts report what went wrong: logged through the user's <see cref="ILoggerFactory"/>,
/// and, when unexpected, kept for <see cref="SimulatedCluster.Errors"/>.
/// </summary>
internal sealed class SimulatorErrors
{
    /// <summary>A failing reconcile is retried (and reported) every few seconds; keep the most recent ones only.</summary>
    private const int Capacity = 1000;

    private readonly ConcurrentQueue<SimulatorError> _errors = new();
    private readonly TimeProvider _time;

    public SimulatorErrors(ILoggerFactory loggerFactory, TimeProvider time)
    {
        Logger = loggerFactory.CreateLogger("RoostKeeper.Ha.Testing.SimulatedCluster");
        _time = time;
    }

    public ILogger Logger { get; }

    public IReadOnlyList<SimulatorError> All => [.. _errors];

    public void Unexpected(string source, Exception exception)
    {
        SimulatorLog.UnexpectedError(Logger, source, exception);
        _errors.Enqueue(new SimulatorError(source, exception, _time.GetUtcNow()));
        while (_errors.Count > Capacity && _errors.TryDequeue(out _))
        {
        }
    }
}
