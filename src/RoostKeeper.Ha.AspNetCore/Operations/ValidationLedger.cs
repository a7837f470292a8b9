using System.Collections.Concurrent;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>
/// What this replica last learned about each backup's validity: from a validation, from the verification
/// after writing a backup, and from the validation every restore starts with. In memory, per replica: a
/// backup nobody checked here yet shows as NotValidated.
/// </summary>
internal sealed class ValidationLedger
{
    private readonly ConcurrentDictionary<string, ValidationDocument> _entries = new(StringComparer.Ordinal);

    public ValidationDocument Get(string backupId) =>
        _entries.TryGetValue(backupId, out var entry) ? entry : ValidationDocument.NotValidated;

    public void Valid(string backupId, DateTimeOffset at, string replica, string how) =>
        _entries[backupId] = new ValidationDocument(ValidationState.Valid, at, replica, how, null);

    public void Invalid(string backupId, DateTimeOffset at, string replica, BackupException error) =>
        _entries[backupId] = new ValidationDocument(ValidationState.Invalid, at, replica, "validation", error.Message);

    public void Forget(string backupId) => _entries.TryRemove(backupId, out _);
}

/// <summary>A backup's validation state as this replica knows it.</summary>
internal enum ValidationState
{
    /// <summary>Not checked by this replica since it started.</summary>
    NotValidated,

    /// <summary>Every hash and object checked out.</summary>
    Valid,

    /// <summary>The backup failed validation; <see cref="ValidationDocument.Error"/> says why.</summary>
    Invalid,
}

/// <summary>The JSON of a backup's validation state.</summary>
/// <param name="State">The state.</param>
/// <param name="CheckedAt">When it was checked, if it was.</param>
/// <param name="CheckedBy">The replica that checked it.</param>
/// <param name="How">"validation", "verified after write" or "restore".</param>
/// <param name="Error">Why it is invalid.</param>
internal sealed record ValidationDocument(ValidationState State, DateTimeOffset? CheckedAt, string? CheckedBy, string? How, string? Error)
{
    public static readonly ValidationDocument NotValidated = new(ValidationState.NotValidated, null, null, null, null);
}
