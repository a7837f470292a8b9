namespace RoostKeeper.Ha.Sample.Tests;

/// <summary>The repository's root: the nearest parent of the test's directory that holds RoostKeeper.Ha.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "RoostKeeper.Ha.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No RoostKeeper.Ha.sln above {AppContext.BaseDirectory}.");
    }
}
