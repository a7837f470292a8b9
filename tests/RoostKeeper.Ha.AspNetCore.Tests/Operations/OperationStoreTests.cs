using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.AspNetCore.Operations;

namespace RoostKeeper.Ha.AspNetCore.Tests.Operations;

/// <summary>What may run together, and which finished operations are kept.</summary>
public sealed class OperationStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void One_backup_and_one_restore_at_a_time_and_one_validation_per_backup()
    {
        var store = new OperationStore(10, _time);

        var backup = store.TryAdd(OperationKind.Backup, "", false, "a", "alice").Started!;
        var restore = store.TryAdd(OperationKind.Restore, "b1", true, "a", "alice").Started!;
        var validation = store.TryAdd(OperationKind.Validate, "b1", false, "a", "alice").Started!;

        Assert.Same(backup, store.TryAdd(OperationKind.Backup, "", false, "a", "bob").Conflict);
        Assert.Same(restore, store.TryAdd(OperationKind.Restore, "b2", false, "a", "bob").Conflict);
        Assert.Same(validation, store.TryAdd(OperationKind.Validate, "b1", false, "a", "bob").Conflict);
        Assert.NotNull(store.TryAdd(OperationKind.Validate, "b2", false, "a", "bob").Started);
        Assert.NotNull(store.ReadingBackup("b1"));
        Assert.Null(store.ReadingBackup("b3"));

        restore.Finish(OperationState.Cancelled, _time.GetUtcNow(), null, null);
        Assert.NotNull(store.TryAdd(OperationKind.Restore, "b2", false, "a", "bob").Started);
    }

    [Fact]
    public void Finished_operations_beyond_the_limit_are_evicted_oldest_first_and_running_ones_never()
    {
        var store = new OperationStore(2, _time);
        var running = store.TryAdd(OperationKind.Restore, "b0", false, "a", "alice").Started!;
        var finished = new List<Operation>();
        for (var i = 0; i < 4; i++)
        {
            var operation = store.TryAdd(OperationKind.Validate, $"b{i + 1}", false, "a", "alice").Started!;
            operation.Finish(OperationState.Succeeded, _time.GetUtcNow(), null, null);
            finished.Add(operation);
        }

        store.TryAdd(OperationKind.Backup, "", false, "a", "alice");

        Assert.Same(running, store.Get(running.Id));
        Assert.Null(store.Get(finished[0].Id));
        Assert.Null(store.Get(finished[1].Id));
        Assert.NotNull(store.Get(finished[3].Id));
        Assert.Equal(4, store.List().Count);
    }

    [Fact]
    public void A_finished_operation_does_not_change_again()
    {
        var store = new OperationStore(2, _time);
        var operation = store.TryAdd(OperationKind.Backup, "", false, "a", "alice").Started!;

        operation.Finish(OperationState.Cancelled, _time.GetUtcNow(), null, new OperationError("t", "d", "LeadershipLost"));
        operation.Finish(OperationState.Succeeded, _time.GetUtcNow(), "late", null, "b9");
        operation.Report(new OperationProgress("late", 5, 5, 0, 0));

        var document = operation.ToDocument("/operations/x");
        Assert.Equal(OperationState.Cancelled, document.State);
        Assert.Null(document.Result);
        Assert.Null(document.BackupId);
        Assert.Equal("queued", document.Progress.Phase);
    }
}
