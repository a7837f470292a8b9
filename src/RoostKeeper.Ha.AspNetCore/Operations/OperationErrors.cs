using RoostKeeper.Ha.KubernetesApi;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>Turns what stopped an operation into an <see cref="OperationError"/>: the facts a caller can act on, never a stack trace.</summary>
internal static class OperationErrors
{
    /// <summary>The error for <paramref name="error"/>, or null when it is not one the caller can act on (then it is logged and reported by trace id).</summary>
    public static OperationError? Describe(Exception error) => error switch
    {
        BackupIntegrityException integrity => new OperationError(
            "The backup failed validation; nothing was restored from it.",
            integrity.Message,
            nameof(BackupIntegrityException),
            new Dictionary<string, string?>
            {
                ["backupId"] = integrity.BackupId,
                ["problem"] = integrity.Problem.ToString(),
                ["objectPath"] = integrity.ObjectPath,
                ["expectedSha256"] = integrity.ExpectedSha256,
                ["actualSha256"] = integrity.ActualSha256,
            }),
        BackupKeyException key => new OperationError("The backup cannot be decrypted with the configured key.", key.Message, nameof(BackupKeyException), Backup(key)),
        UnsupportedBackupFormatException format => new OperationError("The backup's format version is not readable by this version.", format.Message, nameof(UnsupportedBackupFormatException), Backup(format)),
        BackupNotFoundException missing => new OperationError("The backup does not exist (any more).", missing.Message, nameof(BackupNotFoundException), Backup(missing)),
        BackupException backup => new OperationError("The backup operation failed.", backup.Message, backup.GetType().Name, Backup(backup)),
        RollingUpdateFailedException rollout => new OperationError("The rollout failed.", rollout.Message, nameof(RollingUpdateFailedException)),
        _ when KubernetesApiErrors.IsApiOrNetwork(error) => new OperationError(
            "A Kubernetes API call failed.",
            $"{KubernetesApiErrors.Describe(error)}. Check the replica's RBAC and the API server, then run the operation again.",
            "KubernetesApi",
            new Dictionary<string, string?>
            {
                ["kind"] = KubernetesApiErrors.Classify(error).ToString(),
                ["statusCode"] = KubernetesApiErrors.StatusCode(error)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }),
        _ => null,
    };

    /// <summary>
    /// The error for a failure of the backup store or an unexpected one: its exception type, a fixed sentence
    /// and the trace id, never its message (operations are read on open endpoints; the message goes to the log).
    /// </summary>
    public static OperationError Hidden(Exception error, string traceId) => StoreFailures.IsFromStore(error)
        ? new(
            "The backup store failed.",
            $"The backup store failed ({error.GetType().Name}); the replica's log has the details under trace id {traceId}. Check the store (its disk, bucket, credentials or network), then run the operation again.",
            "BackupStore",
            new Dictionary<string, string?> { ["exception"] = error.GetType().Name, ["traceId"] = traceId })
        : new(
            "The operation failed unexpectedly.",
            $"The operation failed on the server; its log has the details under trace id {traceId}.",
            "Unexpected",
            new Dictionary<string, string?> { ["exception"] = error.GetType().Name, ["traceId"] = traceId });

    public static OperationError LeadershipLost(Operation operation, long term, string? leader) => new(
        "Cancelled: this replica stopped leading.",
        $"{operation.Replica} stopped leading (term {term}) while the {operation.Kind.ToString().ToLowerInvariant()} ran, so it was cancelled. "
            + (operation.Kind == OperationKind.Restore && !operation.DryRun
                ? "Objects restored before the cancellation stay (see progress); run the restore again on the new leader: it skips or updates what exists as its policy says."
                : "Nothing from it is kept; run it again on the new leader.")
            + (leader is null ? "" : $" The leader now is {leader}."),
        "LeadershipLost",
        new Dictionary<string, string?> { ["term"] = term.ToString(System.Globalization.CultureInfo.InvariantCulture), ["leader"] = leader });

    public static OperationError ShuttingDown(Operation operation) => new(
        "Cancelled: this replica is shutting down.",
        $"{operation.Replica} shut down while the {operation.Kind.ToString().ToLowerInvariant()} ran; run it again.",
        "ShuttingDown");

    private static Dictionary<string, string?> Backup(BackupException error) => new() { ["backupId"] = error.BackupId };
}
