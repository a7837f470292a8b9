namespace RoostKeeper.Ha.TestUtilities;

/// <summary>The repository's root: the nearest parent of the test's output directory that holds RoostKeeper.Ha.sln.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Found = new(Find);

    /// <summary>The folder that holds RoostKeeper.Ha.sln.</summary>
    public static string Path => Found.Value;

    /// <summary>A path below the root, from its parts (<c>Combine("docs", "metrics.md")</c>).</summary>
    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "RoostKeeper.Ha.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No RoostKeeper.Ha.sln above {AppContext.BaseDirectory}: the tests must run from a checkout of the repository.");
    }
}
