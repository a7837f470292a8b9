namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// Where a restore is (<see cref="RestoreProgress.Phase"/>): the whole backup is validated first, then objects
/// are restored in this order, each phase finished before the next starts: namespaces, then
/// CustomResourceDefinitions (waited on until Established), then configuration (ConfigMaps, Secrets), then
/// custom resources. Backups write types in this order, so a restore reads the archive once.
/// </summary>
public enum RestorePhase
{
    /// <summary>The backup is read and checked (checksums, manifest, format) before anything is written.</summary>
    Validating = 0,

    /// <summary>Namespaces are restored.</summary>
    Namespaces = 1,

    /// <summary>CustomResourceDefinitions are restored and waited on until Established.</summary>
    Definitions = 2,

    /// <summary>ConfigMaps, Secrets and the other core types are restored.</summary>
    Configuration = 3,

    /// <summary>Custom resources are restored.</summary>
    CustomResources = 4,
}
