namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>What an operation does.</summary>
internal enum OperationKind
{
    /// <summary>Creates a backup (leader-only).</summary>
    Backup,

    /// <summary>Validates a backup (any replica).</summary>
    Validate,

    /// <summary>Restores a backup, or plans it as a dry run (leader-only).</summary>
    Restore,
}
