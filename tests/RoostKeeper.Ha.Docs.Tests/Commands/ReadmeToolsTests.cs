using RoostKeeper.Ha.Docs.Tests.Markdown;

namespace RoostKeeper.Ha.Docs.Tests.Commands;

/// <summary>
/// README's tools block works as typed on Debian, including where Node.js (or kubectl) came from elsewhere: there
/// Debian's nodejs and npm conflict with it, apt-get refuses ("held broken packages") and, were they on the same
/// line, nothing would be installed. Run with stub sudo and apt-get (see <see cref="StubbedShell"/>).
/// </summary>
public sealed class ReadmeToolsTests
{
    private const string AptGet = """
        echo "apt-get $*" >> "$log"
        for p in "$@"; do
          case "$p" in
            nodejs|npm) [ -x "$bin/node" ] && { echo "E: Unable to correct problems, you have held broken packages."; exit 100; } ;;
            kubernetes-client) [ -x "$bin/kubectl" ] && exit 100 ;;
          esac
        done
        exit 0
        """;

    [Fact]
    public void With_node_and_kubectl_from_elsewhere_the_block_installs_the_rest_and_succeeds()
    {
        using var shell = new StubbedShell();
        shell.Stub("sudo", "exec \"$@\"");
        shell.Stub("apt-get", AptGet);
        shell.Stub("node");
        shell.Stub("kubectl");

        var (exitCode, output) = shell.Run(ToolsBlock(shell));

        Assert.True(exitCode == 0, output);
        Assert.Equal(["apt-get install python3-kubernetes spin gcc prometheus chromium curl jq"], shell.Calls);
    }

    [Fact]
    public void On_a_bare_machine_the_block_installs_node_and_kubectl_from_debian_too()
    {
        using var shell = new StubbedShell();
        shell.Stub("sudo", "exec \"$@\"");
        shell.Stub("apt-get", AptGet);

        var (exitCode, output) = shell.Run(ToolsBlock(shell));

        Assert.True(exitCode == 0, output);
        Assert.Contains("apt-get install nodejs npm", shell.Calls);
        Assert.Contains("apt-get install kubernetes-client", shell.Calls);
    }

    /// <summary>The README's block with `apt-get install python3-kubernetes`, as a script that stops at the first failure.</summary>
    private static string ToolsBlock(StubbedShell shell)
    {
        var block = MarkdownFile.Load("README.md").CodeBlocks.Single(b => b.Language == "sh" && b.Code.Contains("apt-get install python3-kubernetes", StringComparison.Ordinal));
        var path = Path.Combine(shell.Folder, "tools.sh");
        File.WriteAllText(path, "set -e\n" + block.Code);
        return path;
    }
}
