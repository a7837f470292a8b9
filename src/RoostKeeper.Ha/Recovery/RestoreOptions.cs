namespace RoostKeeper.Ha.Recovery;

/// <summary>How one restore runs. Read once when the restore starts: changing it afterwards does not affect a running restore.</summary>
public sealed class RestoreOptions
{
    /// <summary>
    /// Plan only: read the cluster, report what would be created or updated with a diff, and send every write
    /// with the API server's own <c>dryRun=All</c> so admission and validation run without persisting anything.
    /// </summary>
    /// <value>Default false.</value>
    public bool DryRun { get; set; }

    /// <summary>What to do with objects that already exist and differ.</summary>
    /// <value>Default <see cref="ExistingObjectPolicy.Skip"/>.</value>
    public ExistingObjectPolicy ExistingObjects { get; set; } = ExistingObjectPolicy.Skip;

    /// <summary>Restore objects of namespace key into namespace value (namespaces not listed keep their name).</summary>
    /// <value>Default empty: every object into its own namespace. Keys and values are namespace names (lowercase RFC 1123 labels of at most 63 characters).</value>
    public IReadOnlyDictionary<string, string> NamespaceMapping { get; set; } = new Dictionary<string, string>();

    /// <summary>Objects written at once within one phase.</summary>
    /// <value>Default 8; 1 to 64.</value>
    public int MaxParallelism { get; set; } = 8;

    /// <summary>Keep each object's status (by default status is dropped and left to controllers to rebuild).</summary>
    /// <value>Default false.</value>
    public bool IncludeStatus { get; set; }

    /// <summary>How long to wait for a restored CustomResourceDefinition to become Established.</summary>
    /// <value>Default 60 s. Greater than zero and at most 1 hour.</value>
    public TimeSpan DefinitionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Run the configured health check after a restore that wrote (see <see cref="RecoveryManager"/>).</summary>
    /// <value>Default true.</value>
    public bool VerifyHealth { get; set; } = true;

    // A restore runs for minutes on another thread; a caller reusing its options object must not change it mid-run.
    internal RestoreOptions Snapshot() => new()
    {
        DryRun = DryRun,
        ExistingObjects = ExistingObjects,
        // A null mapping is copied as null for the validator, which runs on the snapshot, to name it.
        NamespaceMapping = NamespaceMapping is null ? null! : new Dictionary<string, string>(NamespaceMapping, StringComparer.Ordinal),
        MaxParallelism = MaxParallelism,
        IncludeStatus = IncludeStatus,
        DefinitionTimeout = DefinitionTimeout,
        VerifyHealth = VerifyHealth,
    };
}
