namespace RoostKeeper.Ha.Recovery.Archive;

/// <summary>
/// What one backup reads, in restore order (namespaces, definitions, configuration, custom resources), with
/// duplicates removed from the configuration: the same type included twice (e.g. <c>AddBackups</c> called
/// twice, or one <c>Include</c> repeated) is read once, and a definition that the automatic inclusion
/// (<see cref="BackupOptions.IncludeDefinitions"/>) would add is left to an explicit, unfiltered
/// <c>Include</c> of CustomResourceDefinitions, which lists it anyway.
/// <para>
/// Includes that overlap without being equal (the same type under two label selectors, in all namespaces
/// and in one, or in two versions; an explicit but filtered CRD include next to the automatic ones) cannot
/// be merged here, because which objects both select is known only when listing. For those types
/// <see cref="NeedsSeenSet"/> is true and the writer skips an object already written under the same
/// group, plural, namespace and name, so no archive holds an object twice.
/// </para>
/// </summary>
internal sealed class BackupPlan
{
    private static readonly BackupResource Definitions = new("apiextensions.k8s.io", "v1", "customresourcedefinitions");

    private readonly HashSet<(string Group, string Plural)> _overlapping;

    private BackupPlan(IReadOnlyList<PlannedType> types, HashSet<(string Group, string Plural)> overlapping)
    {
        Types = types;
        _overlapping = overlapping;
    }

    /// <summary>The reads, in archive (restore) order.</summary>
    public IReadOnlyList<PlannedType> Types { get; }

    public static BackupPlan From(BackupOptions options)
    {
        var resources = options.Resources.Distinct().ToList();
        var explicitAllDefinitions = resources.Any(r => r.IsDefinitions && r.Namespace is null && r.LabelSelector is null);
        var types = new List<PlannedType>();
        types.AddRange(resources.Where(r => r.IsNamespaces).Select(r => new PlannedType(r, null)));
        if (options.IncludeDefinitions && !explicitAllDefinitions)
        {
            types.AddRange(resources.Where(r => !r.IsCore && !r.IsDefinitions)
                .Select(r => $"{r.Plural}.{r.Group}")
                .Distinct(StringComparer.Ordinal)
                .Select(name => new PlannedType(Definitions, name)));
        }

        types.AddRange(resources.Where(r => r.IsDefinitions).Select(r => new PlannedType(r, null)));
        types.AddRange(resources.Where(r => r.IsCore && !r.IsNamespaces).Select(r => new PlannedType(r, null)));
        types.AddRange(resources.Where(r => !r.IsCore && !r.IsDefinitions).Select(r => new PlannedType(r, null)));

        // Group and plural name a type whatever the version; two reads of one type may return the same objects.
        var overlapping = types
            .GroupBy(t => (t.Type.Group, t.Type.Plural))
            .Where(g => g.Count() > 1)
            .Select(g => g.Key)
            .ToHashSet();
        return new BackupPlan(types, overlapping);
    }

    /// <summary>Whether objects of <paramref name="type"/> may be returned by more than one read, so the writer must skip ones already written.</summary>
    public bool NeedsSeenSet(BackupResource type) => _overlapping.Contains((type.Group, type.Plural));
}
