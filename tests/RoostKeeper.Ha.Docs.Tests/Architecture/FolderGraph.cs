namespace RoostKeeper.Ha.Docs.Tests.Architecture;

/// <summary>
/// How the folders of one src/ project depend on each other: a folder depends on another when one of its files
/// uses a type or member declared in a file of the other. Nodes are the top-level folders (and "(root)" for the
/// project's own folder); each edge keeps the file pairs that create it, as evidence.
/// </summary>
internal sealed class FolderGraph(
    string project,
    IReadOnlyDictionary<string, int> folders,
    IReadOnlyDictionary<string, int> subfolders,
    IReadOnlyDictionary<(string From, string To), IReadOnlyList<string>> edges)
{
    /// <summary>The name of the project's own folder as a node.</summary>
    public const string Root = "(root)";

    /// <summary>How many cycles <see cref="Cycles"/> lists at most: a tangle can have very many; the first ones name the edges to cut.</summary>
    public const int CycleLimit = 40;

    public string Project { get; } = project;

    /// <summary>Top-level folders (and <see cref="Root"/>) with the number of C# files under each, ordinally sorted.</summary>
    public IReadOnlyDictionary<string, int> Folders { get; } = folders;

    /// <summary>Folders below the top level ("Recovery/Archive") with their number of C# files.</summary>
    public IReadOnlyDictionary<string, int> Subfolders { get; } = subfolders;

    /// <summary>Each dependency with its evidence: "Health/StepDownPolicy.cs -> HaManager.cs (HaManager)".</summary>
    public IReadOnlyDictionary<(string From, string To), IReadOnlyList<string>> Edges { get; } = edges;

    /// <summary>The folders <paramref name="folder"/> depends on, sorted.</summary>
    public IReadOnlyList<string> DependenciesOf(string folder) =>
        Edges.Keys.Where(e => e.From == folder).Select(e => e.To).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every elementary cycle (at most <see cref="CycleLimit"/>), each listed once, starting at its ordinally smallest folder.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        const int limit = CycleLimit;
        var nodes = Folders.Keys.Order(StringComparer.Ordinal).ToList();
        var cycles = new List<IReadOnlyList<string>>();
        for (var i = 0; i < nodes.Count && cycles.Count < limit; i++)
        {
            // Cycles through nodes[i] that use only nodes after it: each cycle is found from its smallest node only.
            var allowed = nodes.Skip(i).ToHashSet(StringComparer.Ordinal);
            Walk(nodes[i], nodes[i], [nodes[i]], allowed, cycles, limit);
        }

        return cycles;
    }

    private void Walk(string start, string at, List<string> path, HashSet<string> allowed, List<IReadOnlyList<string>> cycles, int limit)
    {
        foreach (var next in DependenciesOf(at))
        {
            if (cycles.Count >= limit)
            {
                return;
            }

            if (next == start)
            {
                cycles.Add([.. path]);
            }
            else if (allowed.Contains(next) && !path.Contains(next))
            {
                path.Add(next);
                Walk(start, next, path, allowed, cycles, limit);
                path.RemoveAt(path.Count - 1);
            }
        }
    }
}
