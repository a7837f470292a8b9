namespace RoostKeeper.Ha.Recovery.Restore;

/// <summary>The <see cref="RestorePhase"/> each resource type is restored in.</summary>
internal static class RestorePhases
{
    public static RestorePhase Of(BackupResource type) =>
        type.IsNamespaces ? RestorePhase.Namespaces
        : type.IsDefinitions ? RestorePhase.Definitions
        : type.IsCore ? RestorePhase.Configuration
        : RestorePhase.CustomResources;
}
