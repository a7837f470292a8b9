using RoostKeeper.Ha.AspNetCore.Operations;

namespace RoostKeeper.Ha.AspNetCore.StatusPage;

/// <summary>One backup on the page: what the store lists and what this replica knows of its validity.</summary>
internal sealed record BackupRow(string Id, DateTimeOffset CreatedAt, long Objects, long Bytes, ValidationDocument Validation);
