using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>Rolling updates' log messages, with stable event ids (4000–4099).</summary>
internal static partial class RollingUpdateLog
{
    /// <summary>The logger category of rolling updates (docs/metrics.md, Log event ids).</summary>
    public const string Category = "RoostKeeper.Ha.RollingUpdates";

    [LoggerMessage(4000, LogLevel.Information, "Update {UpdateId} of deployment {Namespace}/{Deployment} started: {Images} (revision {Revision} before)")]
    public static partial void Started(ILogger logger, string updateId, string @namespace, string deployment, string images, long revision);

    [LoggerMessage(4001, LogLevel.Warning, "Update of deployment {Namespace}/{Deployment} refused: {Problems}")]
    public static partial void Refused(ILogger logger, string @namespace, string deployment, string problems);

    [LoggerMessage(4002, LogLevel.Information, "Update {UpdateId}: {Phase}: {Message}")]
    public static partial void Transition(ILogger logger, string updateId, RollingUpdatePhase phase, string message);

    [LoggerMessage(4003, LogLevel.Warning, "Update {UpdateId} failed ({Failure}): {Message}")]
    public static partial void FailureDetected(ILogger logger, string updateId, RollingUpdateFailureKind failure, string message);

    [LoggerMessage(4004, LogLevel.Information, "Update {UpdateId} succeeded: deployment {Namespace}/{Deployment} runs revision {Revision}")]
    public static partial void Succeeded(ILogger logger, string updateId, string @namespace, string deployment, long revision);

    [LoggerMessage(4005, LogLevel.Warning, "Update {UpdateId} rolled back: deployment {Namespace}/{Deployment} is back on the template of revision {Revision}, complete and available")]
    public static partial void RolledBack(ILogger logger, string updateId, string @namespace, string deployment, long revision);

    [LoggerMessage(4006, LogLevel.Error, "Update {UpdateId} of deployment {Namespace}/{Deployment} ended {Phase}: {Message}")]
    public static partial void Failed(ILogger logger, string updateId, string @namespace, string deployment, RollingUpdatePhase phase, string message, Exception? exception);

    [LoggerMessage(4007, LogLevel.Warning, "Update {UpdateId}: {Operation} failed, retrying: {Problem}")]
    public static partial void ApiRetry(ILogger logger, string updateId, string operation, string problem);

    [LoggerMessage(4008, LogLevel.Information, "Update {UpdateId}: restored {Kind} {Namespace}/{Name} to its state before the update")]
    public static partial void ConfigurationRestored(ILogger logger, string updateId, string kind, string @namespace, string name);

    [LoggerMessage(4009, LogLevel.Warning, "Update {UpdateId}: {Warning}")]
    public static partial void ValidationWarning(ILogger logger, string updateId, string warning);
}
