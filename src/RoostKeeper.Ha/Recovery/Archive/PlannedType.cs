namespace RoostKeeper.Ha.Recovery.Archive;

/// <summary>One read of a backup: a resource type, or (when <paramref name="Definition"/> is set) one named CustomResourceDefinition.</summary>
internal sealed record PlannedType(BackupResource Type, string? Definition);
