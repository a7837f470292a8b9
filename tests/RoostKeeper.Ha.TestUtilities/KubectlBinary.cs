using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>
/// Finds the real kubectl these tests drive: $ROOSTHA_KUBECTL if set, else the newest versioned binary of a
/// google-cloud-cli install (its plain <c>kubectl</c> is a dispatcher that picks a version per server), else
/// kubectl on PATH (Debian's kubernetes-client in CI). A missing kubectl fails the tests, saying how to get one.
/// </summary>
public static partial class KubectlBinary
{
    private static readonly string[] CloudSdkDirectories =
    [
        "/usr/lib/google-cloud-sdk/bin",
        "/usr/share/google-cloud-sdk/bin",
        "/opt/google-cloud-sdk/bin",
        "/google-cloud-sdk/bin",
    ];

    private static readonly Lazy<(string Path, string Version)> Found = new(Find);

    public static string Path => Found.Value.Path;

    /// <summary>kubectl's own report, e.g. "v1.33.1".</summary>
    public static string Version => Found.Value.Version;

    private static (string, string) Find()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("ROOSTHA_KUBECTL") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        foreach (var directory in CloudSdkDirectories.Where(Directory.Exists))
        {
            candidates.AddRange(Directory.GetFiles(directory, "kubectl.1.*")
                .Select(f => (File: f, Minor: int.TryParse(System.IO.Path.GetFileName(f)["kubectl.1.".Length..], out var m) ? m : -1))
                .Where(c => c.Minor >= 0)
                .OrderByDescending(c => c.Minor)
                .Select(c => c.File));
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => System.IO.Path.Combine(d, "kubectl")));

        foreach (var candidate in candidates.Where(File.Exists))
        {
            var result = ExternalProcess.RunAsync(candidate, ["version", "--client"]).GetAwaiter().GetResult();
            var version = ClientVersion().Match(result.Stdout);
            if (result.ExitCode == 0 && version.Success)
            {
                return (candidate, version.Groups[1].Value);
            }
        }

        throw new InvalidOperationException(
            "No kubectl found: these tests drive the real kubectl against SimulatedCluster. Install one (Debian: apt-get install -y kubernetes-client; "
            + "or google-cloud-cli's kubectl), put it on PATH or point ROOSTHA_KUBECTL at it. Looked at: " + string.Join(", ", candidates));
    }

    [GeneratedRegex(@"Client Version: (v\S+)")]
    private static partial Regex ClientVersion();
}
