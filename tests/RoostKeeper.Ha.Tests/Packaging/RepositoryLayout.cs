namespace RoostKeeper.Ha.Tests.Packaging;

/// <summary>Where the repository's files are, below the root RepositoryRoot finds.</summary>
public static class RepositoryLayout
{
    /// <summary>The folder that holds RoostKeeper.Ha.sln.</summary>
    public static string Root => RepositoryRoot.Path;

    public static string CoreProject => Path.Combine(Root, "src", "RoostKeeper.Ha", "RoostKeeper.Ha.csproj");

    public static string CoreNuspec => Path.Combine(Root, "RoostKeeper.Ha.nuspec");

    public static string PackagesProps => Path.Combine(Root, "Directory.Packages.props");

    /// <summary>The files besides the project that add PackageReferences to it.</summary>
    public static IReadOnlyList<string> SharedBuildFiles =>
        [Path.Combine(Root, "Directory.Build.props"), Path.Combine(Root, "Directory.Build.targets")];
}
