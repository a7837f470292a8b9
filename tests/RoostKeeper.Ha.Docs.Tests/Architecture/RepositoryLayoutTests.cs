using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.Docs.Tests.Architecture;

/// <summary>
/// docs/architecture.md's "Folder layout" cannot drift from the repository: it names every project of the
/// solution and every top-level folder of samples/, benchmarks/, tests/ and model/ (and model/'s models), and
/// every path it names exists.
/// </summary>
public sealed partial class RepositoryLayoutTests
{
    private static readonly string[] Roots = ["samples", "benchmarks", "tests", "model"];

    private static string Block() =>
        RepositoryLayout.Block(File.ReadAllText(ArchitectureDocument.FullPath))
        ?? throw new InvalidOperationException($"{ArchitectureDocument.RelativePath} has no \"## Folder layout\" block.");

    [Fact]
    public void The_layout_names_every_project_of_the_solution()
    {
        var entries = RepositoryLayout.Entries(Block()).ToHashSet(StringComparer.Ordinal);

        var projects = SolutionProjectFolders();

        Assert.NotEmpty(projects);
        var missing = projects.Where(p => !entries.Contains(p)).ToList();
        Assert.True(missing.Count == 0, $"{ArchitectureDocument.RelativePath}, \"Folder layout\" does not name these projects of RoostKeeper.Ha.sln:\n{string.Join("\n", missing)}");
    }

    [Fact]
    public void The_layout_names_every_top_level_folder_of_samples_benchmarks_tests_and_model()
    {
        var block = Block();
        var entries = RepositoryLayout.Entries(block).ToHashSet(StringComparer.Ordinal);

        var folders = Roots
            .SelectMany(root => Directory.GetDirectories(Path.Combine(Repository.Root, root))
                .Select(d => Path.GetFileName(d))
                .Where(name => !name.StartsWith('.') && name is not ("bin" or "obj"))
                .Select(name => $"{root}/{name}/"))
            .ToList();
        var unnamed = folders.Where(f => !entries.Contains(f)).ToList();

        // model/ holds files rather than folders: each model is named where model/ is described.
        var models = Directory.GetFiles(Path.Combine(Repository.Root, "model"), "*.pml").Select(f => Path.GetFileName(f)).ToList();
        unnamed.AddRange(models.Where(m => !block.Contains(m, StringComparison.Ordinal)).Select(m => $"model/{m}"));

        Assert.NotEmpty(folders);
        Assert.NotEmpty(models);
        Assert.True(unnamed.Count == 0, $"{ArchitectureDocument.RelativePath}, \"Folder layout\" does not name:\n{string.Join("\n", unnamed)}");
    }

    [Fact]
    public void Every_path_the_layout_names_exists()
    {
        var missing = RepositoryLayout.Entries(Block())
            .Where(entry => !File.Exists(Path.Combine(Repository.Root, entry)) && !Directory.Exists(Path.Combine(Repository.Root, entry.TrimEnd('/'))))
            .ToList();

        Assert.True(missing.Count == 0, $"{ArchitectureDocument.RelativePath}, \"Folder layout\" names paths that do not exist:\n{string.Join("\n", missing)}");
    }

    [Fact]
    public void The_parser_reads_entries_and_skips_continuation_lines()
    {
        var markdown = "# Page\n\n## Folder layout\n\n```\nsrc/                 the packages\n                     more about src\nREADME.md            the readme\n```\n\n## Next\n";

        var block = RepositoryLayout.Block(markdown);

        Assert.NotNull(block);
        Assert.Equal(["src/", "README.md"], RepositoryLayout.Entries(block));
        Assert.Equal(["src/RoostKeeper.Ha/", "tests/RoostKeeper.Ha.Tests/"], ProjectFolders("""
            Project("{2150E333-8FDC-42A3-9474-1A3956D46DE8}") = "src", "src", "{827E0CD3-B72D-47B6-A68D-7590B98EB39B}"
            Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "RoostKeeper.Ha", "src\RoostKeeper.Ha\RoostKeeper.Ha.csproj", "{F3BBC846-8FD9-4A96-8F50-2FFB9A85FA5D}"
            Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "RoostKeeper.Ha.Tests", "tests\RoostKeeper.Ha.Tests\RoostKeeper.Ha.Tests.csproj", "{E04D4898-076F-40D8-885E-3A94A2E9F654}"
            """));
    }

    /// <summary>Each project of RoostKeeper.Ha.sln as the folder that holds it ("tests/RoostKeeper.Ha.Tests/").</summary>
    private static List<string> SolutionProjectFolders() => ProjectFolders(File.ReadAllText(Path.Combine(Repository.Root, "RoostKeeper.Ha.sln")));

    private static List<string> ProjectFolders(string solution) =>
        ProjectLine().Matches(solution)
            .Select(m => m.Groups["path"].Value.Replace('\\', '/'))
            .Select(path => path[..(path.LastIndexOf('/') + 1)])
            .ToList();

    // Solution folders ("src", "src") have no project file, so only lines naming a .csproj count.
    [GeneratedRegex(@"^Project\(""\{[^}]+\}""\) = ""[^""]+"", ""(?<path>[^""]+\.csproj)""", RegexOptions.Multiline)]
    private static partial Regex ProjectLine();
}
