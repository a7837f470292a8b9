using RoostKeeper.Ha.Docs.Tests.Markdown;

namespace RoostKeeper.Ha.Docs.Tests.Commands;

/// <summary>
/// The README's two commands stay true: the sample project they run exists, and the test command is the one
/// CI runs (.ci/run adds only the configuration and its result logger to it).
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
        var ciTest = File.ReadAllLines(Path.Combine(Repository.Root, ".ci", "run"))
            .Select(l => l.Trim())
            .Single(l => l.StartsWith("dotnet test", StringComparison.Ordinal));

        Assert.Equal("dotnet test", Commands[1]);
        Assert.StartsWith(Commands[1] + " ", ciTest, StringComparison.Ordinal);
        Assert.DoesNotContain("--filter", ciTest, StringComparison.Ordinal);
    }
}
