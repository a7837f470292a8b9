using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;
using RoostKeeper.Ha.AspNetCore.Tests.Sharding;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.AspNetCore.Tests.Docs;

/// <summary>
/// docs/aspnetcore.md's "Operating with curl": every curl command answers 2xx from a real replica (host and
/// example ids replaced), and the script runs as written (host replaced). Uses curl and jq (.ci/run installs them).
/// </summary>
public sealed partial class CurlCommandTests
{
    private const string Host = "http://roost-keeper-api";
    private const string ExampleBackup = "20261128-214344-3f7591";
    private const string ExampleOperation = "op-20261128-214344-3f75a91c";

    [Fact]
    public async Task The_documented_commands_and_script_work_against_a_replica()
    {
        Assert.True(File.Exists("/usr/bin/curl") && File.Exists("/usr/bin/jq"), "curl and jq are needed: apt-get install -y curl jq, as .ci/run does.");
        var (commands, script) = Blocks(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "docs", "aspnetcore.md")));
        Assert.True(commands.Count >= 12, $"expected the documented commands, found {commands.Count}");

        await using var cluster = await Cluster.StartAsync();
        using var bed = await BackupBed.CreateAsync(cluster);
        await bed.Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "roost-data-restored" } });
        // GET /shards needs sharded leadership; the endpoint reads only IShardOwnership, which a fake stands in for.
        await using var a = await cluster.ReplicaAsync("replica-a", o => o.MutationPolicy = ReplicaServer.OperatorPolicy, healthChecks: false, ha: bed.AddBackups,
            services: s => s.AddSingleton<IShardOwnership>(new FakeShardOwnership("replica-a", 16)));
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        var api = a.BaseAddress.TrimEnd('/');

        var (scriptExit, scriptOutput) = await BashAsync(script.Replace(Host, api, StringComparison.Ordinal));
        Assert.True(scriptExit == 0, $"the script failed ({scriptExit}):\n{scriptOutput}");
        Assert.Matches("backup [0-9]{8}-[0-9]{6}-[0-9a-f]{6}", scriptOutput);

        using var started = await BackupBed.SendAsync(a, HttpMethod.Post, "/backup");
        var operation = await BackupBed.FinishedAsync(a, started.Headers.Location!.OriginalString);
        var backup = operation.GetProperty("result").GetProperty("id").GetString()!;
        foreach (var command in commands)
        {
            var concrete = command
                .Replace(Host, api, StringComparison.Ordinal)
                .Replace(ExampleBackup, backup, StringComparison.Ordinal)
                .Replace(ExampleOperation, operation.GetProperty("id").GetString()!, StringComparison.Ordinal)
                .Replace("roost-keeper-controller-manager-1", "replica-b", StringComparison.Ordinal);
            var (exit, output) = await BashAsync("curl -sS -o /dev/null -w '%{http_code}' " + concrete["curl ".Length..]);
            Assert.True(exit == 0 && output.Trim() is ['2', _, _], $"{command}\n=> exit {exit}, HTTP {output}");
            await Cluster.Until(async () => !await AnyRunningAsync(a), $"the operations of `{command}` to finish");
        }
    }

    private static async Task<bool> AnyRunningAsync(ReplicaServer replica)
    {
        using var list = JsonDocument.Parse(await replica.Http.GetStringAsync("/operations"));
        return list.RootElement.EnumerateArray().Any(o => o.GetProperty("state").GetString() == "Running");
    }

    /// <summary>The commands of the section's first bash block (continuations joined), and its second block as a script.</summary>
    private static (List<string> Commands, string Script) Blocks(string markdown)
    {
        var start = markdown.IndexOf("## Operating with curl", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/aspnetcore.md has no \"Operating with curl\" section");
        var end = markdown.IndexOf("\n## ", start + 10, StringComparison.Ordinal);
        var section = markdown[start..(end < 0 ? markdown.Length : end)];
        var blocks = BashBlock().Matches(section).Select(m => m.Groups[1].Value).ToList();
        Assert.True(blocks.Count >= 2, "the section needs the commands block and the script block");
        var commands = blocks[0].Replace("\\\n", " ", StringComparison.Ordinal)
            .Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("curl ", StringComparison.Ordinal))
            .Select(l => Regex.Replace(l, " {2,}", " "))
            .ToList();
        return (commands, blocks[1]);
    }

    private static async Task<(int Exit, string Output)> BashAsync(string script)
    {
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["TOKEN"] = BackupBed.Operator;
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Cluster.Patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bash did not finish within {Cluster.Patience}:\n{script}");
        }

        return (process.ExitCode, new StringBuilder(await output).Append(await errors).ToString());
    }

    [GeneratedRegex("```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();
}
