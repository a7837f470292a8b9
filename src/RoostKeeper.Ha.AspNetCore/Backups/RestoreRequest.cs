using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.AspNetCore.Backups;

/// <summary>The body of POST /restore/{id}; every field optional.</summary>
/// <param name="DryRun">Plan only (default false): nothing is written; the result lists what would change.</param>
/// <param name="ExistingObjects">"Skip" (default) or "Update": what to do with objects that exist and differ.</param>
/// <param name="NamespaceMapping">Restore objects of namespace key into namespace value.</param>
/// <param name="IncludeStatus">Keep each object's status (default false).</param>
/// <param name="VerifyHealth">Run the health check after a restore that wrote (default true).</param>
internal sealed record RestoreRequest(bool? DryRun, ExistingObjectPolicy? ExistingObjects, Dictionary<string, string>? NamespaceMapping, bool? IncludeStatus, bool? VerifyHealth);
