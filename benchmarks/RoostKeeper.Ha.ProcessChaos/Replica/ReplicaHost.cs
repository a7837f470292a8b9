using System.Globalization;
using System.Runtime.InteropServices;
using k8s;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.ProcessChaos.Replica;

/// <summary>
/// One replica process: RoostKeeper.Ha's <see cref="HaManager"/> against the API server at --server (the
/// runner's proxy), writing the controller's objects while it leads, reporting its own view on stdout
/// (<see cref="ReplicaLine"/>). SIGTERM stops it gracefully (the Lease is released); SIGKILL and SIGSTOP are
/// what the runner tests.
/// </summary>
internal static class ReplicaHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string? fallback = null)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"replica needs {name}.");
        }

        TimeSpan Ms(string name, int fallback) => TimeSpan.FromMilliseconds(int.Parse(Arg(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture));

        var identity = Arg("--identity");
        var ns = Arg("--namespace", "default");
        var mode = Enum.Parse<WriteMode>(Arg("--mode", nameof(WriteMode.Fenced)), ignoreCase: true);
        var objects = int.Parse(Arg("--objects", "4"), CultureInfo.InvariantCulture);

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = Arg("--server") });
        var writer = new ObjectWriter(client, ns, objects, mode, Ms("--think-ms", 20));
        using var manager = new HaManager(client, new LeaderElectionOptions
        {
            LeaseName = Arg("--lease", "chaos"),
            LeaseNamespace = ns,
            Identity = identity,
            LeaseDuration = Ms("--lease-duration-ms", 2000),
            RenewDeadline = Ms("--renew-deadline-ms", 1200),
            RetryPeriod = Ms("--retry-period-ms", 250),
            StopLeadingTimeout = Ms("--stop-leading-timeout-ms", 1000),
        }, loggerFactory: null, TimeProvider.System);
        manager.OnStartedLeading(async (leadership, term) =>
        {
            ReplicaLine.Emit(ReplicaLine.Lead, leadership.Term);

            // The process's own view ends the instant the leader token is cancelled, not when the work returns.
            await using var ended = term.Register(() => ReplicaLine.Emit(ReplicaLine.Stop, leadership.Term));
            try
            {
                await writer.RunAsync(leadership, term);
            }
            catch (OperationCanceledException) when (term.IsCancellationRequested)
            {
                // The term ended: the normal way out.
            }
        });

        ReplicaLine.Emit(ReplicaLine.Ready, 0, identity);
        try
        {
            await manager.StartLeaderElectionAsync(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // SIGTERM.
        }
        catch (Exception e)
        {
            ReplicaLine.Emit(ReplicaLine.Error, 0, $"{e.GetType().Name}: {e.Message}");
            return 1;
        }

        ReplicaLine.Emit(ReplicaLine.Exit, 0);
        return 0;
    }
}
