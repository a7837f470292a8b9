using RoostKeeper.Ha.AspNetCore.Operations;

namespace RoostKeeper.Ha.AspNetCore.Backups;

/// <summary>The result of a validation operation.</summary>
internal sealed record ValidationResultDocument(string BackupId, bool Valid, OperationError? Error);
