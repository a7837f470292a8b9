using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>
/// Logs of the operations (category <c>RoostKeeper.Ha.AspNetCore</c>, like the rest of the package; event ids
/// 6007–6011 and 6017 of its range 6000–6099, kept when they moved here from <c>AspNetCoreLog</c>).
/// </summary>
internal static partial class OperationLog
{
    [LoggerMessage(6007, LogLevel.Information, "Operation {OperationId} ({Kind} of backup {BackupId}) started by {User}.")]
    public static partial void Started(ILogger logger, string operationId, OperationKind kind, string backupId, string user);

    [LoggerMessage(6008, LogLevel.Information, "Operation {OperationId} ({Kind}) finished {State} (backup {BackupId}).")]
    public static partial void Finished(ILogger logger, string operationId, OperationKind kind, OperationState state, string backupId);

    [LoggerMessage(6009, LogLevel.Warning, "Operation {OperationId} ({Kind}) failed: {Detail}")]
    public static partial void Failed(ILogger logger, string operationId, OperationKind kind, string detail);

    [LoggerMessage(6010, LogLevel.Error, "Operation {OperationId} ({Kind}) failed unexpectedly; callers see the operation id as its trace id.")]
    public static partial void FailedUnexpectedly(ILogger logger, Exception exception, string operationId, OperationKind kind);

    [LoggerMessage(6011, LogLevel.Warning, "Operation {OperationId} ({Kind}) was cancelled: {Detail}")]
    public static partial void Cancelled(ILogger logger, string operationId, OperationKind kind, string detail);

    [LoggerMessage(6017, LogLevel.Error, "Operation {OperationId} ({Kind}) failed: the backup store {Store} failed; callers see the exception's type and the operation id as its trace id.")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string operationId, OperationKind kind, string store);
}
