namespace RoostKeeper.Ha.Recovery;

/// <summary>How one restore runs.</summary>
public sealed record RestoreOptions
{
    /// <summary>
    /// Plan only: read the cluster, report what would be created or updated with a diff, and send every write
    /// with the API server's own <c>dryRun=All</c> so admission and validation run without persisting anything.
    /// </summary>
    /// <value>Default false.</value>
    public bool DryRun { get; init; }

    /// <summary>What to do with objects that already exist and differ.</summary>
    /// <value>Default <see cref="ExistingObjectPolicy.Skip"/>.</value>
    public ExistingObjectPolicy ExistingObjects { get; init; } = ExistingObjectPolicy.Skip;

    /// <summary>Restore objects of namespace key into namespace value (namespaces not listed keep their name).</summary>
    public IReadOnlyDictionary<string, string> NamespaceMapping { get; init; } = new Dictionary<string, string>();

    /// <summary>Objects written at once within one phase.</summary>
    /// <value>Default 8; 1 to 64.</value>
    public int MaxParallelism { get; init; } = 8;

    /// <summary>Keep each object's status (by default status is dropped and left to controllers to rebuild).</summary>
    /// <value>Default false.</value>
    public bool IncludeStatus { get; init; }

    /// <summary>How long to wait for a restored CustomResourceDefinition to become Established.</summary>
    /// <value>Default 60 s.</value>
    public TimeSpan DefinitionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Run the configured health check after a restore that wrote (see <see cref="RecoveryManager"/>).</summary>
    /// <value>Default true.</value>
    public bool VerifyHealth { get; init; } = true;
}
