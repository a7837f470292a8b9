namespace RoostKeeper.Ha.Tests.Packaging;

/// <summary>Where the repository's files are, found by walking up from the test assembly to RoostKeeper.Ha.sln.</summary>
public static class RepositoryLayout
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder that holds RoostKeeper.Ha.sln.</summary>
    public static string Root => LazyRoot.Value;

    public static string CoreProject => Path.Combine(Root, "src", "RoostKeeper.Ha", "RoostKeeper.Ha.csproj");

    public static string CoreNuspec => Path.Combine(Root, "RoostKeeper.Ha.nuspec");

    public static string PackagesProps => Path.Combine(Root, "Directory.Packages.props");

    /// <summary>The files besides the project that add PackageReferences to it.</summary>
    public static IReadOnlyList<string> SharedBuildFiles =>
        [Path.Combine(Root, "Directory.Build.props"), Path.Combine(Root, "Directory.Build.targets")];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RoostKeeper.Ha.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No RoostKeeper.Ha.sln above {AppContext.BaseDirectory}: the tests must run from a checkout of the repository.");
    }
}
