using RoostKeeper.Ha.Docs.Tests.Markdown;

namespace RoostKeeper.Ha.Docs.Tests.Commands;

/// <summary>
/// The README's two commands stay true: the sample project they run exists, and the test command is the one
/// CI runs (.ci/run adds only the configuration of the build it made), which runs dotnet test.
/// </summary>
public sealed class ReadmeCommandTests
{
    private static readonly IReadOnlyList<string> Commands = MarkdownFile.Load("README.md").CodeBlocks
        .First(b => b.Language == "sh")
        .Code.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => line.Split('#', 2)[0].Trim())
        .ToList();

    [Fact]
    public void The_first_command_runs_the_sample_project()
    {
        Assert.Equal("dotnet run --project samples/RoostKeeper.Ha.Sample", Commands[0]);
        Assert.True(File.Exists(Path.Combine(Repository.Root, "samples", "RoostKeeper.Ha.Sample", "RoostKeeper.Ha.Sample.csproj")));
    }

    [Fact]
    public void The_test_command_is_what_ci_runs()
    {
        var ci = File.ReadAllLines(Path.Combine(Repository.Root, ".ci", "run")).Select(l => l.Trim()).Where(l => !l.StartsWith('#')).ToList();

        Assert.Equal("eng/test.sh", Commands[1]);
        Assert.Equal("eng/test.sh -c Release --no-build", Assert.Single(ci, l => l.Contains("test.sh", StringComparison.Ordinal)));
        Assert.DoesNotContain(ci, l => l.Contains("dotnet test", StringComparison.Ordinal) || l.Contains("apt-get", StringComparison.Ordinal));
        Assert.Contains(File.ReadAllLines(Path.Combine(Repository.Root, "eng", "test.sh")), l => l.StartsWith("dotnet test \"$@\"", StringComparison.Ordinal));
    }

    [Fact]
    public void The_pack_command_ci_runs_is_the_readmes_at_the_root()
    {
        var ci = File.ReadAllLines(Path.Combine(Repository.Root, ".ci", "run")).Select(l => l.Trim()).ToList();
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));

        Assert.Contains("`dotnet pack -c Release -o artifacts/packages` at the root", readme, StringComparison.Ordinal);
        Assert.Equal("dotnet pack -c Release --no-build -o artifacts/packages", Assert.Single(ci, l => l.StartsWith("dotnet pack", StringComparison.Ordinal)));
    }
}
