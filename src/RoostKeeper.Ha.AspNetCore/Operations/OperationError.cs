namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>Why an operation failed or was cancelled, in the shape of a problem (title, detail, facts).</summary>
/// <param name="Title">A short summary.</param>
/// <param name="Detail">What happened and what to do.</param>
/// <param name="Type">The error's kind, e.g. "BackupIntegrityException", "KubernetesApi", "LeadershipLost".</param>
/// <param name="Facts">Details such as the backup problem, the object path or the API status.</param>
internal sealed record OperationError(string Title, string Detail, string Type, IReadOnlyDictionary<string, string?>? Facts = null);
