namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>Where an operation is. Running is the only state that changes.</summary>
internal enum OperationState
{
    /// <summary>Started and not finished.</summary>
    Running,

    /// <summary>Finished; <c>result</c> holds what it produced.</summary>
    Succeeded,

    /// <summary>Finished with an error (<c>error</c>), or a restore with failed objects (<c>result</c> lists them).</summary>
    Failed,

    /// <summary>Stopped before it finished: this replica stopped leading, or shut down.</summary>
    Cancelled,
}

/// <summary>What an operation does.</summary>
internal enum OperationKind
{
    /// <summary>Creates a backup (leader-only).</summary>
    Backup,

    /// <summary>Validates a backup (any replica).</summary>
    Validate,

    /// <summary>Restores a backup, or plans it as a dry run (leader-only).</summary>
    Restore,
}

/// <summary>
/// One long-running request of the API: created running, updated by its progress, finished once. Readers take
/// snapshots (<see cref="ToDocument"/>), so a poll never sees a half-written state.
/// </summary>
internal sealed class Operation
{
    private readonly object _gate = new();
    private OperationProgress _progress = new("queued", 0, null, 0, 0);
    private OperationState _state = OperationState.Running;
    private DateTimeOffset? _finishedAt;
    private object? _result;
    private OperationError? _error;

    public Operation(string id, OperationKind kind, string backupId, bool dryRun, string replica, string requestedBy, DateTimeOffset createdAt)
    {
        Id = id;
        Kind = kind;
        BackupId = backupId;
        DryRun = dryRun;
        Replica = replica;
        RequestedBy = requestedBy;
        CreatedAt = createdAt;
    }

    public string Id { get; }

    public OperationKind Kind { get; }

    /// <summary>The backup concerned; for a backup being created, its id once known (empty before).</summary>
    public string BackupId { get; private set; }

    public bool DryRun { get; }

    public string Replica { get; }

    public string RequestedBy { get; }

    public DateTimeOffset CreatedAt { get; }

    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _state == OperationState.Running;
            }
        }
    }

    public void Report(OperationProgress progress)
    {
        lock (_gate)
        {
            if (_state == OperationState.Running)
            {
                _progress = progress;
            }
        }
    }

    public void Finish(OperationState state, DateTimeOffset at, object? result, OperationError? error, string? backupId = null)
    {
        lock (_gate)
        {
            if (_state != OperationState.Running)
            {
                return;
            }

            _state = state;
            _finishedAt = at;
            _result = result;
            _error = error;
            if (backupId is not null)
            {
                BackupId = backupId;
            }
        }
    }

    public OperationDocument ToDocument(string location)
    {
        lock (_gate)
        {
            return new OperationDocument(Id, Kind, _state, BackupId.Length == 0 ? null : BackupId, Kind == OperationKind.Restore ? DryRun : null,
                Replica, RequestedBy, CreatedAt, _finishedAt, _progress, _result, _error, location);
        }
    }
}

/// <summary>How far an operation is.</summary>
/// <param name="Phase">"queued", then the manager's phase: a resource type being read, "validate" or "restore".</param>
/// <param name="Objects">Objects handled so far.</param>
/// <param name="Total">Objects in all, when known.</param>
/// <param name="Failed">Objects that failed so far (restore).</param>
/// <param name="Bytes">Object bytes handled so far (backup and validation).</param>
internal sealed record OperationProgress(string Phase, long Objects, long? Total, long Failed, long Bytes);

/// <summary>Why an operation failed or was cancelled, in the shape of a problem (title, detail, facts).</summary>
/// <param name="Title">A short summary.</param>
/// <param name="Detail">What happened and what to do.</param>
/// <param name="Type">The error's kind, e.g. "BackupIntegrityException", "KubernetesApi", "LeadershipLost".</param>
/// <param name="Facts">Details such as the backup problem, the object path or the API status.</param>
internal sealed record OperationError(string Title, string Detail, string Type, IReadOnlyDictionary<string, string?>? Facts = null);

/// <summary>The JSON of an operation (GET /operations/{id} and the 202 answers).</summary>
internal sealed record OperationDocument(
    string Id,
    OperationKind Kind,
    OperationState State,
    string? BackupId,
    bool? DryRun,
    string Replica,
    string RequestedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    OperationProgress Progress,
    object? Result,
    OperationError? Error,
    string Location);
