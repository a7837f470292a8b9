namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>What an operation's work produced: its final state, its result, and (for a new backup) the backup's id.</summary>
internal sealed record OperationOutcome(OperationState State, object? Result, OperationError? Error = null, string? BackupId = null);
