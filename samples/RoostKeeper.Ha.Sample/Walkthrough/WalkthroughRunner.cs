using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Sample.Controller;
using RoostKeeper.Ha.Sample.Hosting;
using RoostKeeper.Ha.Testing;
using Spectre.Console;

namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>
/// The embedded walk-through: SimulatedCluster, the CRD and a few ManagedRoosts, three replicas in this process,
/// then each step in order, each checking its own outcome. Exit code 0 only when every step passed.
/// </summary>
internal sealed partial class WalkthroughRunner : IAsyncDisposable
{
    public const string Namespace = "roost-keeper-system";
    public static readonly string[] ReplicaNames = ["replica-a", "replica-b", "replica-c"];

    // Short timings so the whole story takes well under a minute: a crashed leader is replaced after 4 s, not 15 s.
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan RenewDeadline = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private readonly SampleOptions _options;
    private readonly Timeline _timeline;
    private readonly FileLoggerProvider _logs;
    private readonly ILoggerFactory _loggerFactory;
    private readonly string _workDirectory;
    private readonly LeadershipJournal _journal = new(TimeProvider.System);
    private readonly OperatorToken _token = OperatorToken.Generate();
    private readonly List<SampleReplica> _replicas = [];
    private readonly ReconcileTally _reconciles = new();
    private ProcessReplica? _process;
    private SimulatedCluster? _cluster;
    private IKubernetes? _admin;

    public WalkthroughRunner(SampleOptions options, IAnsiConsole console)
    {
        _options = options;
        _timeline = new Timeline(console);
        _workDirectory = Path.Combine(Path.GetTempPath(), "roost-keeper-sample", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", System.Globalization.CultureInfo.InvariantCulture));
        _logs = new FileLoggerProvider(options.LogFile ?? Path.Combine(_workDirectory, "sample.log"), TimeProvider.System);
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Information));
    }

    private SimulatedCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    private IKubernetes Admin => _admin ?? throw new InvalidOperationException("The cluster is not started.");

    /// <summary>The step names in order, for --help and --step.</summary>
    public static IReadOnlyList<string> StepNames => [.. Steps().Select(s => s.Name)];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var plan = Plan(_options.Step);
        _timeline.Console.MarkupLine($"[bold]RoostKeeper.Ha sample[/]: a ManagedRoost controller, three replicas, one embedded SimulatedCluster. Library logs: [underline]{Markup.Escape(_logs.Path)}[/]");
        var results = new List<StepResult>();
        try
        {
            var setUp = _timeline.Elapsed;
            try
            {
                await SetUpAsync(plan, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                _loggerFactory.CreateLogger("RoostKeeper.Ha.Sample.Walkthrough").LogError(e, "Set-up failed");
                var failed = new StepResult("setup", false, _timeline.Elapsed - setUp, $"{e.GetType().Name}: {e.Message}");
                _timeline.Result(failed);
                _timeline.Summary([failed], _logs.Path, _logs.Warnings);
                return SampleProgram.StepsFailed;
            }

            foreach (var step in plan)
            {
                results.Add(await RunStepAsync(step, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _timeline.Say("Stopped (Ctrl+C).");
            return 130;
        }

        _timeline.Summary(results, _logs.Path, _logs.Warnings);
        _timeline.Console.WriteLine("Metrics: " + _reconciles);
        _cluster?.Faults.Heal(ProcessClient);
        var allPassed = results.Count == plan.Count && results.All(r => r.Passed);
        if (_options.KeepRunning)
        {
            await KeepRunningAsync(cancellationToken);
        }

        return allPassed ? 0 : 1;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        foreach (var replica in _replicas.Concat(_shardReplicas))
        {
            await replica.DisposeAsync();
        }

        _admin?.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _reconciles.Dispose();
        _loggerFactory.Dispose();
        _logs.Dispose();
    }

    /// <summary>The steps to run for --step (the step and what it needs, in story order), or all.</summary>
    private static List<WalkthroughStep> Plan(string? only)
    {
        var all = Steps();
        if (only is null)
        {
            return [.. all];
        }

        var wanted = new HashSet<string>(StringComparer.Ordinal);
        void Need(string name)
        {
            var step = all.FirstOrDefault(s => s.Name == name)
                ?? throw new ArgumentException($"Unknown step {name}; the steps are: {string.Join(", ", all.Select(s => s.Name))}.");
            if (wanted.Add(name))
            {
                foreach (var required in step.Requires)
                {
                    Need(required);
                }
            }
        }

        Need(only);
        return [.. all.Where(s => wanted.Contains(s.Name))];
    }

    private async Task<StepResult> RunStepAsync(WalkthroughStep step, CancellationToken cancellationToken)
    {
        _timeline.Heading(step.Name, step.Title);
        var started = _timeline.Elapsed;
        StepResult result;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(90));
            var detail = await step.Run(this, timeout.Token);
            result = new StepResult(step.Name, true, _timeline.Elapsed - started, detail);
        }
        catch (StepSkippedException e)
        {
            result = new StepResult(step.Name, true, _timeline.Elapsed - started, e.Message, Skipped: true);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var detail = e is StepFailedException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            _loggerFactory.CreateLogger("RoostKeeper.Ha.Sample.Walkthrough").LogError(e, "Step {Step} failed", step.Name);
            result = new StepResult(step.Name, false, _timeline.Elapsed - started, detail);
        }

        _timeline.Result(result);
        return result;
    }

    private async Task SetUpAsync(IReadOnlyList<WalkthroughStep> plan, CancellationToken cancellationToken)
    {
        _timeline.Heading("setup", "SimulatedCluster, the ManagedRoost CRD, three replicas");
        _cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { LoggerFactory = _loggerFactory, PodStartupDelay = TimeSpan.FromMilliseconds(100) }, cancellationToken);
        _admin = _cluster.CreateClient("admin");
        _timeline.Say($"SimulatedCluster serves the Kubernetes API on {_cluster.BaseAddress}");
        await _admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } }, cancellationToken: cancellationToken);
        await ManagedRoostDefinition.ApplyAsync(_admin, _loggerFactory.CreateLogger("RoostKeeper.Ha.Sample"), TimeProvider.System, TimeSpan.FromSeconds(30), cancellationToken);
        _timeline.Say($"applied CustomResourceDefinition {ManagedRoost.DefinitionName} (v1alpha1, namespaced, status subresource, printer columns)");
        if (plan.Any(s => s.Name == PauseStep))
        {
            // Started now, so that its start-up overlaps the steps before the pause step, which lets it in.
            StartProcessReplica();
        }

        foreach (var name in ReplicaNames)
        {
            var replica = new SampleReplica(name, () => SettingsFor(name));
            _replicas.Add(replica);
            await replica.StartAsync(cancellationToken);
            _timeline.Say($"{name} started: {replica.Url}status");
        }
    }

    private ReplicaSettings SettingsFor(string name) => new()
    {
        Identity = name,
        Namespace = Namespace,
        ElectionClient = Cluster.CreateClient(name),
        ControllerClient = Cluster.CreateClient(SampleReplica.ControllerClient(name)),
        Journal = _journal,
        BackupDirectory = Path.Combine(_workDirectory, "backups"),
        Urls = "http://127.0.0.1:0",
        Token = _token,
        LogProvider = _logs.For(name),
        HealthInterval = TimeSpan.FromMilliseconds(500),
        StepDownAfter = TimeSpan.FromSeconds(1),
        ConfigureElection = o =>
        {
            o.LeaseDuration = LeaseDuration;
            o.RenewDeadline = RenewDeadline;
            o.RetryPeriod = RetryPeriod;
            o.StopLeadingTimeout = TimeSpan.FromSeconds(2);
        },
        ConfigureController = o =>
        {
            o.ResyncPeriod = TimeSpan.FromMilliseconds(250);
            o.HealthCheckTimeout = TimeSpan.FromSeconds(1);
        },
    };

    private async Task KeepRunningAsync(CancellationToken cancellationToken)
    {
        var kubeconfig = Path.Combine(_workDirectory, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: simulated
              cluster: {server: "{{Cluster.BaseAddress.ToString().TrimEnd('/')}}"}
            users:
            - name: simulated
              user: {token: simulated}
            contexts:
            - name: simulated
              context: {cluster: simulated, user: simulated, namespace: {{Namespace}}}
            current-context: simulated

            """, cancellationToken);
        var console = _timeline.Console;
        console.Write(new Rule("[bold]keep running[/]") { Justification = Justify.Left });
        foreach (var replica in _replicas.Where(r => r.IsRunning))
        {
            console.MarkupLine($"{replica.Name}{(replica.IsLeader ? " (leader)" : "")}: status page {replica.Url}  JSON {replica.Url}status  probes {replica.Url}healthz {replica.Url}readyz  metrics {replica.Url}metrics");
        }

        var leader = _replicas.FirstOrDefault(r => r.IsLeader) ?? _replicas.First(r => r.IsRunning);
        console.WriteLine();
        console.WriteLine($"export KUBECONFIG={kubeconfig}");
        console.WriteLine("kubectl get managedroosts,configmaps,leases");
        console.WriteLine($"kubectl apply -f - <<'EOF'{Environment.NewLine}apiVersion: roost.birb.party/v1alpha1{Environment.NewLine}kind: ManagedRoost{Environment.NewLine}metadata: {{name: heron}}{Environment.NewLine}spec: {{species: heron, size: 2}}{Environment.NewLine}EOF");
        console.WriteLine($"curl -s {leader.Url}status");
        console.WriteLine($"curl -s -X POST -H 'Authorization: Bearer {_token.Value}' {leader.Url}failover");
        console.WriteLine();
        console.MarkupLine("Press [bold]Ctrl+C[/] to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("Stopping the replicas.");
        }
    }
}
