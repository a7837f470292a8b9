using System.Globalization;

namespace RoostKeeper.Ha.Benchmarks.RollingUpdates;

/// <summary>Command-line settings of the rollout runner.</summary>
internal sealed record RolloutSettings
{
    public int Runs { get; init; } = 3;

    /// <summary>The Deployment's progressDeadlineSeconds, for both sides (Kubernetes' and kubectl's default is 600).</summary>
    public int ProgressDeadlineSeconds { get; init; } = 600;

    /// <summary>How long the simulated kubelet takes to start a pod.</summary>
    public TimeSpan PodStartup { get; init; } = TimeSpan.FromSeconds(1);

    public int Replicas { get; init; } = 3;

    /// <summary>"real" runs the kubectl on PATH against the simulator; "model" replays kubectl's rules in process.</summary>
    public string Kubectl { get; init; } = "real";

    public static RolloutSettings Parse(IReadOnlyList<string> args)
    {
        var settings = new RolloutSettings();
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--runs" => settings with { Runs = Positive(args[i], value) },
                "--progress-deadline-seconds" => settings with { ProgressDeadlineSeconds = Positive(args[i], value) },
                "--pod-startup-ms" => settings with { PodStartup = TimeSpan.FromMilliseconds(Positive(args[i], value)) },
                "--replicas" => settings with { Replicas = Positive(args[i], value) },
                "--kubectl" => settings with { Kubectl = value is "real" or "model" ? value : throw new ArgumentException("--kubectl must be real or model.") },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --runs N, --progress-deadline-seconds N, --pod-startup-ms N, --replicas N, --kubectl real|model."),
            };
            i++;
        }

        return settings;
    }

    private static int Positive(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{option} must be a positive integer, not '{value}'.");
}
