using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Testing.Diagnostics;

/// <summary>The simulator's log messages, event ids 8000-8099.</summary>
internal static partial class SimulatorLog
{
    [LoggerMessage(8000, LogLevel.Information, "SimulatedCluster listening on {Address}")]
    public static partial void Started(ILogger logger, Uri address);

    [LoggerMessage(8001, LogLevel.Error, "SimulatedCluster: unexpected error in {Source}; this is a simulator bug or a limit it does not report yet")]
    public static partial void UnexpectedError(ILogger logger, string source, Exception exception);

    [LoggerMessage(8002, LogLevel.Debug, "{Controller} will retry {Key} in {Delay}: {Reason}")]
    public static partial void ReconcileRetry(ILogger logger, string controller, string key, TimeSpan delay, string reason);

    [LoggerMessage(8003, LogLevel.Debug, "{Method} {Path} -> {Status} ({Reason}): {Message}")]
    public static partial void RequestFailed(ILogger logger, string method, string path, int status, string reason, string message);

    [LoggerMessage(8004, LogLevel.Information, "SimulatedCluster stopped")]
    public static partial void Stopped(ILogger logger);
}
