namespace RoostKeeper.Ha.AspNetCore.Operations;

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
