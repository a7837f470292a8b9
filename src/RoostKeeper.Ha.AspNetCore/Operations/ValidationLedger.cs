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
