using System.Security.Cryptography;

namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>
/// The operations of this replica, in memory: the running ones and the last
/// <see cref="HaApiOptions.RetainedOperations"/> finished ones. It is also where the rules on what may run
/// together are decided, atomically: one backup at a time, one restore (dry run or not) at a time, one
/// validation per backup at a time, and no deletion of a backup that an operation reads.
/// </summary>
internal sealed class OperationStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Operation> _byId = new(StringComparer.Ordinal);
    private readonly List<Operation> _order = [];
    private readonly int _retained;
    private readonly TimeProvider _time;

    public OperationStore(int retained, TimeProvider time)
    {
        _retained = retained;
        _time = time;
    }

    public Operation? Get(string id)
    {
        lock (_gate)
        {
            return _byId.GetValueOrDefault(id);
        }
    }

    /// <summary>The operations, newest first.</summary>
    public IReadOnlyList<Operation> List()
    {
        lock (_gate)
        {
            return [.. Enumerable.Reverse(_order)];
        }
    }

    /// <summary>Adds a running operation unless one it must not run with is running; then returns that one as the conflict.</summary>
    public (Operation? Started, Operation? Conflict) TryAdd(OperationKind kind, string backupId, bool dryRun, string replica, string requestedBy)
    {
        lock (_gate)
        {
            var conflict = _order.FirstOrDefault(o => o.IsRunning && o.Kind == kind && (kind != OperationKind.Validate || o.BackupId == backupId));
            if (conflict is not null)
            {
                return (null, conflict);
            }

            var now = _time.GetUtcNow();
            var id = $"op-{now.UtcDateTime:yyyyMMdd-HHmmss}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";
            var operation = new Operation(id, kind, backupId, dryRun, replica, requestedBy, now);
            _byId[id] = operation;
            _order.Add(operation);
            Evict();
            return (operation, null);
        }
    }

    /// <summary>The running operation that reads <paramref name="backupId"/> (a restore or a validation), if any.</summary>
    public Operation? ReadingBackup(string backupId)
    {
        lock (_gate)
        {
            return _order.FirstOrDefault(o => o.IsRunning && o.Kind != OperationKind.Backup && o.BackupId == backupId);
        }
    }

    private void Evict()
    {
        var finished = _order.Count(o => !o.IsRunning);
        for (var i = 0; i < _order.Count && finished > _retained;)
        {
            if (_order[i].IsRunning)
            {
                i++;
                continue;
            }

            _byId.Remove(_order[i].Id);
            _order.RemoveAt(i);
            finished--;
        }
    }
}
