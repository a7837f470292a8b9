using System.Globalization;

namespace RoostKeeper.Ha.Benchmarks.Sharding;

/// <summary>Command-line settings of the sharded-leadership runner.</summary>
internal sealed record ShardingSettings
{
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>(["throughput", "moves", "api"]);

    public int Keys { get; init; } = 3000;

    public TimeSpan Io { get; init; } = TimeSpan.FromMilliseconds(20);

    public int Workers { get; init; } = 16;

    public int Shards { get; init; } = 16;

    public IReadOnlyList<int> Replicas { get; init; } = [1, 3, 5];

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(20);

    public int Runs { get; init; } = 3;

    public IReadOnlyList<int> ApiSizes { get; init; } = [3, 10, 30];

    public TimeSpan ApiWindow { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ApiSettle { get; init; } = TimeSpan.FromSeconds(20);

    public static ShardingSettings Parse(IReadOnlyList<string> args)
    {
        var settings = new ShardingSettings();
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--only" => settings with { Only = Parts(value).Select(Part).ToHashSet() },
                "--keys" => settings with { Keys = Positive(args[i], value) },
                "--io-ms" => settings with { Io = TimeSpan.FromMilliseconds(Positive(args[i], value)) },
                "--workers" => settings with { Workers = Positive(args[i], value) },
                "--shards" => settings with { Shards = Positive(args[i], value) },
                "--replicas" => settings with { Replicas = [.. Parts(value).Select(v => Positive(args[i], v))] },
                "--window-seconds" => settings with { Window = TimeSpan.FromSeconds(Positive(args[i], value)) },
                "--runs" => settings with { Runs = Positive(args[i], value) },
                "--api-sizes" => settings with { ApiSizes = [.. Parts(value).Select(v => Positive(args[i], v))] },
                "--api-window-seconds" => settings with { ApiWindow = TimeSpan.FromSeconds(Positive(args[i], value)) },
                "--api-settle-seconds" => settings with { ApiSettle = TimeSpan.FromSeconds(Positive(args[i], value)) },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --only throughput,moves,api, --keys N, --io-ms N, --workers N, --shards N, --replicas 1,3,5, --window-seconds N, --runs N, --api-sizes 3,10,30, --api-window-seconds N, --api-settle-seconds N."),
            };
            i++;
        }

        return settings;
    }

    private static string[] Parts(string value) => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string Part(string value) => value is "throughput" or "moves" or "api"
        ? value
        : throw new ArgumentException($"--only takes throughput, moves and api, not '{value}'.");

    private static int Positive(string option, string value) =>
        int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{option} must be positive integers, not '{value}'.");
}
