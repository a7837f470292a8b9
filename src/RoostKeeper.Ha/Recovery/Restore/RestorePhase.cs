namespace RoostKeeper.Ha.Recovery.Restore;

/// <summary>
/// The order objects are restored in, each phase finished before the next starts: namespaces, then
/// CustomResourceDefinitions (waited on until Established), then configuration (ConfigMaps, Secrets), then
/// custom resources. Backups write types in this order, so a restore reads the archive once.
/// </summary>
internal enum RestorePhase
{
    Namespaces = 0,
    Definitions = 1,
    Configuration = 2,
    CustomResources = 3,
}

internal static class RestorePhases
{
    public static RestorePhase Of(BackupResource type) =>
        type.IsNamespaces ? RestorePhase.Namespaces
        : type.IsDefinitions ? RestorePhase.Definitions
        : type.IsCore ? RestorePhase.Configuration
        : RestorePhase.CustomResources;
}
