namespace RoostKeeper.Ha.AspNetCore.Backups;

/// <summary>The body of POST /backup, POST /backups and POST /backups/{id}/validate: nothing to set (what is backed up is configured with AddBackups); absent or {}.</summary>
internal sealed record EmptyRequest;
