using System.Globalization;

namespace RoostKeeper.Ha.Benchmarks.Fleet;

/// <summary>Command-line settings of the fleet runner.</summary>
internal sealed record FleetSettings
{
    public IReadOnlyList<int> Sizes { get; init; } = [3, 10, 30];

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(20);

    public static FleetSettings Parse(IReadOnlyList<string> args)
    {
        var settings = new FleetSettings();
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--sizes" => settings with { Sizes = value.Split(',').Select(v => Positive("--sizes", v)).ToList() },
                "--window-seconds" => settings with { Window = TimeSpan.FromSeconds(Positive(args[i], value)) },
                "--settle-seconds" => settings with { Settle = TimeSpan.FromSeconds(Positive(args[i], value)) },
                "--warmup-seconds" => settings with { Warmup = TimeSpan.FromSeconds(Positive(args[i], value)) },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --sizes 3,10,30, --window-seconds N, --settle-seconds N, --warmup-seconds N."),
            };
            i++;
        }

        return settings;
    }

    private static int Positive(string option, string value) =>
        int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{option} must be positive integers, not '{value}'.");
}
