using System.Globalization;

namespace RoostKeeper.Ha.Benchmarks.Failover;

/// <summary>Command-line settings of the failover runner.</summary>
internal sealed record FailoverSettings
{
    public int Runs { get; init; } = 3;

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);

    public int SafetyRounds { get; init; } = 16;

    public int FastSafetyRounds { get; init; } = 40;

    public int Seed { get; init; } = 20261124;

    public IReadOnlySet<string> Sections { get; init; } = AllSections;

    public static IReadOnlySet<string> AllSections { get; } = new HashSet<string>(["handoff", "crash", "rpm", "safety", "fast"], StringComparer.Ordinal);

    public static FailoverSettings Parse(IReadOnlyList<string> args)
    {
        var settings = new FailoverSettings();
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--runs" => settings with { Runs = Positive(args[i], value) },
                "--window-seconds" => settings with { Window = TimeSpan.FromSeconds(Positive(args[i], value)) },
                "--safety-rounds" => settings with { SafetyRounds = Positive(args[i], value) },
                "--fast-safety-rounds" => settings with { FastSafetyRounds = Positive(args[i], value) },
                "--seed" => settings with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                "--only" => settings with { Sections = ParseSections(value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --runs N, --window-seconds N, --safety-rounds N, --fast-safety-rounds N, --seed N, --only handoff,crash,rpm,safety,fast."),
            };
            i++;
        }

        return settings;
    }

    private static int Positive(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{option} must be a positive integer, not '{value}'.");

    private static HashSet<string> ParseSections(string value)
    {
        var sections = new HashSet<string>(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal);
        var unknown = sections.Except(AllSections).ToList();
        return unknown.Count == 0 ? sections : throw new ArgumentException($"Unknown section(s) {string.Join(", ", unknown)}; known: {string.Join(", ", AllSections)}.");
    }
}
