using System.Diagnostics;
using System.Text.RegularExpressions;
using RoostKeeper.Ha.Tests.Packaging;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Tests.Election;

/// <summary>
/// The Promela models (model/lease-election.pml, fencing.pml, sharding.pml): spin checks them, and the code
/// they cite still says what the models assume.
/// </summary>
public sealed partial class ElectionModelTests(ITestOutputHelper output)
{
    private static string ModelFolder => Path.Combine(RepositoryLayout.Root, "model");

    [Fact]
    public async Task Spin_proves_the_protocol_safe_and_live_and_finds_the_broken_variants_counter_examples()
    {
        var work = Directory.CreateTempSubdirectory("roostha-model-");
        try
        {
            var start = new ProcessStartInfo("bash", [Path.Combine(ModelFolder, "check.sh"), work.FullName])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var check = Process.Start(start)!;
            var stdout = check.StandardOutput.ReadToEndAsync();
            var stderr = check.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
            await check.WaitForExitAsync(timeout.Token);
            output.WriteLine(await stdout);
            output.WriteLine(await stderr);

            var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(check.ExitCode == 0, $"model/check.sh exited {check.ExitCode}:\n{await stdout}\n{await stderr}");
            Assert.Equal(5, lines.Count(l => l.StartsWith("ok", StringComparison.Ordinal) && l.Contains("holds over all", StringComparison.Ordinal)));
            Assert.Equal(14, lines.Count(l => l.StartsWith("ok", StringComparison.Ordinal) && l.Contains("counter-example found", StringComparison.Ordinal)));
            Assert.Contains(lines, l => l.StartsWith("ok    fencing: paused leaders", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("ok    sharding: 3 replicas", StringComparison.Ordinal) && l.Contains("holds over all", StringComparison.Ordinal));
            Assert.Equal(6, lines.Count(l => l.StartsWith("ok    sharding broken:", StringComparison.Ordinal) && l.Contains("assertion violated", StringComparison.Ordinal)));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("lease-election.pml")]
    [InlineData("fencing.pml")]
    [InlineData("sharding.pml")]
    public void Every_fragment_the_model_cites_still_occurs_in_the_cited_source_file(string modelFile)
    {
        var model = File.ReadAllText(Path.Combine(ModelFolder, modelFile));
        var citations = Citation().Matches(model);

        Assert.NotEmpty(citations);
        foreach (Match citation in citations)
        {
            var file = Path.Combine(RepositoryLayout.Root, "src", "RoostKeeper.Ha", citation.Groups["file"].Value);
            Assert.True(File.Exists(file), $"The model cites {citation.Groups["file"].Value}, which does not exist: update model/{modelFile}.");
            Assert.True(
                File.ReadAllText(file).Contains(citation.Groups["fragment"].Value, StringComparison.Ordinal),
                $"The model cites \"{citation.Groups["fragment"].Value}\" in {citation.Groups["file"].Value}, which no longer says so: check the model still describes the code.");
        }
    }

    [GeneratedRegex("cites (?<file>\\S+) \"(?<fragment>[^\"]+)\"")]
    private static partial Regex Citation();
}
