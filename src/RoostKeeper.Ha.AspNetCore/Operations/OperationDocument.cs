namespace RoostKeeper.Ha.AspNetCore.Operations;

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
