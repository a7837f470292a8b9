namespace RoostKeeper.Ha.Docs.Tests.Commands;

/// <summary>
/// eng/test.sh, the README's test command, does its own set-up: it installs the missing tools where it can, and
/// otherwise says once, before dotnet test runs, which are missing and the one command that installs them.
/// Run on a copy of the script with stub tools (see <see cref="StubbedShell"/>).
/// </summary>
public sealed class TestScriptTests
{
    // Writes a TRX with 3 passed tests where dotnet test was told to put its results.
    private const string DotnetStub = """
        echo "dotnet-ran $*"; echo "dotnet $*" >> "$log"
        dir=""; prev=""
        for a in "$@"; do [ "$prev" = --results-directory ] && dir=$a; prev=$a; done
        mkdir -p "$dir"
        echo '<TestRun><ResultSummary><Counters total="3" executed="3" passed="3" failed="0" error="0" timeout="0" aborted="0" notExecuted="0" /></ResultSummary></TestRun>' > "$dir/run.trx"
        """;

    [Fact]
    public void Without_a_way_to_install_it_names_the_missing_tools_and_the_command_once_before_running_the_tests()
    {
        using var shell = new StubbedShell();
        var script = CopyScript(shell);
        InstallTools(shell, "kubectl", "gcc", "curl", "node", "npm");
        shell.Stub("id", "echo 1000");   // not root, and no sudo on PATH
        shell.Stub("apt-get", "echo \"apt-get $*\" >> \"$log\"");

        var (exitCode, output) = shell.Run(script, Environment(shell, pythonHasClient: false), "-c", "Release");

        Assert.Equal(0, exitCode);
        var message = output.IndexOf("missing tools:", StringComparison.Ordinal);
        Assert.True(message >= 0, output);
        Assert.Equal(message, output.LastIndexOf("missing tools:", StringComparison.Ordinal));
        Assert.True(message < output.IndexOf("dotnet-ran", StringComparison.Ordinal), output);
        Assert.Contains("sudo apt-get install -y python3-kubernetes spin prometheus jq\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain(shell.Calls, c => c.StartsWith("apt-get", StringComparison.Ordinal));
        Assert.Equal("dotnet test -c Release --logger trx --results-directory artifacts/test-results", Assert.Single(shell.Calls));
        Assert.Equal("3 passed, 0 failed", output.TrimEnd().Split('\n')[^1]);
    }

    [Fact]
    public void As_root_it_installs_only_the_missing_packages_and_leaves_a_node_from_elsewhere_alone()
    {
        using var shell = new StubbedShell();
        var script = CopyScript(shell);
        InstallTools(shell, "kubectl", "gcc", "curl", "node");   // a Node.js from elsewhere, without npm
        shell.Stub("id", "echo 0");
        // "Installs" a package by putting its tool on PATH (python3-kubernetes: the Python stub starts to succeed).
        shell.Stub("apt-get", """
            echo "apt-get $*" >> "$log"
            for p in "$@"; do
              case "$p" in
                spin) printf '#!/bin/bash\n' > "$bin/spin"; chmod +x "$bin/spin" ;;
                prometheus) printf '#!/bin/bash\n' > "$bin/promtool"; chmod +x "$bin/promtool" ;;
                jq) printf '#!/bin/bash\n' > "$bin/jq"; chmod +x "$bin/jq" ;;
                python3-kubernetes) touch "$bin/../python-client" ;;
                nodejs|npm) echo "E: Unable to correct problems, you have held broken packages."; exit 100 ;;
              esac
            done
            """);

        var (exitCode, output) = shell.Run(script, Environment(shell, pythonHasClient: false));

        Assert.Equal(0, exitCode);
        Assert.Contains("apt-get install -y -qq python3-kubernetes spin prometheus jq", shell.Calls);
        Assert.DoesNotContain(shell.Calls, c => c.Contains("nodejs", StringComparison.Ordinal) || c.Contains(" npm", StringComparison.Ordinal));
        // Only npm is left, and apt-get is not the way to get it here.
        Assert.Contains("missing tools: npm.", output, StringComparison.Ordinal);
        Assert.Contains("install it with your Node.js", output, StringComparison.Ordinal);
        Assert.Equal("3 passed, 0 failed", output.TrimEnd().Split('\n')[^1]);
    }

    [Fact]
    public void A_failed_test_run_fails_the_command_and_counts_the_failures()
    {
        using var shell = new StubbedShell();
        var script = CopyScript(shell);
        InstallTools(shell, "kubectl", "gcc", "curl", "node", "npm", "spin", "promtool", "jq");
        shell.Stub("dotnet", DotnetStub.Replace("passed=\"3\" failed=\"0\"", "passed=\"2\" failed=\"1\"", StringComparison.Ordinal) + "\nexit 1");

        var (exitCode, output) = shell.Run(script, Environment(shell, pythonHasClient: true));

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("missing tools", output, StringComparison.Ordinal);
        Assert.Equal("2 passed, 1 failed", output.TrimEnd().Split('\n')[^1]);
    }

    private static string CopyScript(StubbedShell shell)
    {
        var root = Directory.CreateDirectory(Path.Combine(shell.Folder, "repo"));
        Directory.CreateDirectory(Path.Combine(root.FullName, "eng"));
        Directory.CreateDirectory(Path.Combine(root.FullName, "tools", "s3rver", "node_modules", "s3rver"));   // s3rver already installed
        var script = Path.Combine(root.FullName, "eng", "test.sh");
        File.Copy(Path.Combine(Repository.Root, "eng", "test.sh"), script);
        shell.Stub("dotnet", DotnetStub);
        return script;
    }

    private static void InstallTools(StubbedShell shell, params string[] tools)
    {
        foreach (var tool in tools)
        {
            shell.Stub(tool);
        }
    }

    private static Dictionary<string, string> Environment(StubbedShell shell, bool pythonHasClient)
    {
        if (pythonHasClient)
        {
            File.WriteAllText(Path.Combine(shell.Folder, "python-client"), "");
        }

        return new()
        {
            ["ROOSTHA_PYTHON"] = shell.Stub("python3", $"[ -e '{shell.Folder}/python-client' ]"),
            ["ROOSTHA_CHROMIUM"] = shell.Stub("chromium"),
        };
    }
}
