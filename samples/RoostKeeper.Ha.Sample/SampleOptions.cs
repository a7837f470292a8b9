namespace RoostKeeper.Ha.Sample;

/// <summary>The sample's command line: see docs/sample.md, or run with --help.</summary>
internal sealed record SampleOptions
{
    public const string Usage = """
        RoostKeeper.Ha sample: a ManagedRoost controller with leader election, health, backups and rolling updates.

        Walk-through (default, nothing to install): three replicas on an embedded SimulatedCluster.
          --step NAME        run one step (and the steps it needs): {steps}
          --keep-running     keep the replicas up afterwards; prints their URLs, a bearer token and a kubeconfig
          --log-file PATH    where the library's logs go (default: a new file in the temp directory)

        Real cluster (with --kubeconfig, or inside a pod): one replica of the same controller.
          --kubeconfig PATH  the cluster to run against
          --namespace NS     the namespace of the Lease and the ManagedRoosts (default: the pod's, else the kubeconfig's, else default)
          --apply-crd        create or update the ManagedRoost CRD first (needs permission to)
          --backup-dir PATH  where backups are written (default: the temp directory)
          --metrics-url URL  serve /metrics on a URL of its own (default in a pod: http://+:9464; else on the API's URL)
          --RoostHa:KEY=VALUE, --ManagedRoost:KEY=VALUE, --Logging:KEY=VALUE, --urls URL: configuration (see docs/sample.md)
        """;

    public string? Kubeconfig { get; init; }

    public string? Namespace { get; init; }

    public string? Step { get; init; }

    public bool KeepRunning { get; init; }

    public bool ApplyCrd { get; init; }

    public bool Help { get; init; }

    public string? LogFile { get; init; }

    public string? BackupDirectory { get; init; }

    public string? MetricsUrl { get; init; }

    /// <summary>Arguments passed on to the replica's configuration (real-cluster mode).</summary>
    public IReadOnlyList<string> Configuration { get; init; } = [];

    /// <summary>True when the program runs as a real replica: a kubeconfig was given or it runs in a pod.</summary>
    public bool RealCluster => Kubeconfig is not null || Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 };

    /// <exception cref="ArgumentException">An unknown option or a missing value; the message says which.</exception>
    public static SampleOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SampleOptions();
        var configuration = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new ArgumentException($"{arg} needs a value.");
            options = arg switch
            {
                "--kubeconfig" => options with { Kubeconfig = Value() },
                "--namespace" => options with { Namespace = Value() },
                "--step" => options with { Step = Value() },
                "--log-file" => options with { LogFile = Value() },
                "--backup-dir" => options with { BackupDirectory = Value() },
                "--metrics-url" => options with { MetricsUrl = Value() },
                "--keep-running" => options with { KeepRunning = true },
                "--apply-crd" => options with { ApplyCrd = true },
                "--help" or "-h" => options with { Help = true },
                _ when arg.StartsWith("--RoostHa:", StringComparison.OrdinalIgnoreCase) || arg.StartsWith("--ManagedRoost:", StringComparison.OrdinalIgnoreCase)
                    || arg.StartsWith("--Logging:", StringComparison.OrdinalIgnoreCase) => Pass(options, arg),
                "--urls" => Pass(options, arg, Value()),
                _ => throw new ArgumentException($"Unknown option {arg}."),
            };

            SampleOptions Pass(SampleOptions current, params string[] values)
            {
                configuration.AddRange(values);
                return current;
            }
        }

        return options with { Configuration = configuration };
    }
}
