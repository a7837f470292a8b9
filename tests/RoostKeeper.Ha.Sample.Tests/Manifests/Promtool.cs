namespace RoostKeeper.Ha.Sample.Tests.Manifests;

/// <summary>
/// Runs Prometheus' promtool ($ROOSTHA_PROMTOOL, else promtool on PATH; Debian's <c>prometheus</c> package,
/// which .ci/run installs). A missing promtool fails the test, saying how to get it.
/// </summary>
internal static class Promtool
{
    public const string Missing =
        "promtool not found: the Prometheus rules are checked and unit-tested with the real promtool. Install it "
        + "(Debian: apt-get install -y prometheus), put it on PATH or point ROOSTHA_PROMTOOL at it.";

    private static readonly Lazy<string?> Found = new(() => Locate(Environment.GetEnvironmentVariable));

    public static async Task<ProcessResult> RunAsync(params string[] arguments)
    {
        var path = Found.Value ?? throw new InvalidOperationException(Missing);
        return await ExternalProcess.RunAsync(path, arguments);
    }

    /// <summary>The promtool to run, or null; a configured path that does not exist counts as none.</summary>
    public static string? Locate(Func<string, string?> variable)
    {
        if (variable("ROOSTHA_PROMTOOL") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        return (variable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "promtool"))
            .FirstOrDefault(File.Exists);
    }
}
