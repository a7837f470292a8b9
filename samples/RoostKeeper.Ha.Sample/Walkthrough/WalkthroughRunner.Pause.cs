using System.Globalization;
using k8s;
using RoostKeeper.Ha.Fencing;
using RoostKeeper.Ha.Processes;
using RoostKeeper.Ha.Sample.Hosting;

namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>
/// The pause step: a fourth replica runs as its own OS process, leads, and is frozen with SIGSTOP between its read
/// of a ConfigMap and its write, past LeaseDuration; an in-process replica takes over and writes; on SIGCONT the
/// frozen replica sends its write, and the API server refuses it (the fence's resourceVersion precondition).
/// </summary>
internal sealed partial class WalkthroughRunner
{
    public const string PauseStep = "pause";
    public const string ProcessReplicaName = "replica-d";

    /// <summary>
    /// The simulator's name for a client that sends none (docs/simulated-cluster.md): the process replica is a
    /// plain KubernetesClient from a kubeconfig, so this is its name there, and what partitions it.
    /// </summary>
    private const string ProcessClient = "anonymous";

    /// <summary>How long the process replica holds each ConfigMap update (ManagedRoost:WriteDelay): the window SIGSTOP lands in.</summary>
    private static readonly TimeSpan WriteDelay = TimeSpan.FromSeconds(2);

    private ProcessReplica Process => _process ?? throw new StepFailedException("The replica process was not started.");

    /// <summary>
    /// Starts this program in real-cluster mode as replica-d, cut off from the cluster (it is let in by the pause
    /// step, so that it cannot win an earlier step's election).
    /// </summary>
    private void StartProcessReplica()
    {
        if (!PosixSignals.IsSupported)
        {
            return;
        }

        Cluster.Faults.Partition(ProcessClient);
        var kubeconfig = Path.Combine(_workDirectory, ProcessReplicaName + ".kubeconfig");
        Directory.CreateDirectory(_workDirectory);
        File.WriteAllText(kubeconfig, Cluster.CreateKubeconfig(null));
        string Ms(TimeSpan t) => "00:00:" + t.TotalSeconds.ToString("00.000", CultureInfo.InvariantCulture);
        _process = ProcessReplica.Start(ProcessReplicaName,
        [
            "--kubeconfig", kubeconfig, "--namespace", Namespace, "--urls", "http://127.0.0.1:0",
            "--backup-dir", Path.Combine(_workDirectory, "backups-" + ProcessReplicaName),
            $"--RoostHa:Identity={ProcessReplicaName}", $"--RoostHa:LeaseDuration={Ms(LeaseDuration)}",
            $"--RoostHa:RenewDeadline={Ms(RenewDeadline)}", $"--RoostHa:RetryPeriod={Ms(RetryPeriod)}",
            "--RoostHa:StopLeadingTimeout=00:00:02", "--ManagedRoost:ResyncPeriod=00:00:00.250",
            $"--ManagedRoost:WriteDelay={Ms(WriteDelay)}",

            // One line per entry, and the controller's Debug events (9007: a write refused with 409).
            "--Logging:Console:FormatterName=simple", "--Logging:Console:FormatterOptions:SingleLine=true",
            "--Logging:Console:FormatterOptions:ColorBehavior=Disabled", "--Logging:LogLevel:RoostKeeper.Ha.Sample=Debug",
        ], _logs.For(ProcessReplicaName));
        _timeline.Say($"{ProcessReplicaName} starting as its own process (pid {_process.Pid}), cut off from the API server until the {PauseStep} step");
    }

    private async Task<string> PauseAsync(CancellationToken cancellationToken)
    {
        if (!PosixSignals.IsSupported)
        {
            throw new StepSkippedException("SIGSTOP and SIGCONT do not exist on Windows: this step needs Linux or macOS. The crash step shows the fence refusing an old term's write in-process.");
        }

        var child = Process;
        var leader = await LeaderAsync(cancellationToken);

        // 1. Let the process replica reach the cluster; it follows.
        Cluster.Faults.Heal(ProcessClient);
        _timeline.Say($"{child.Name} (pid {child.Pid}) runs: {child.CommandLine.Replace(_workDirectory + Path.DirectorySeparatorChar, "", StringComparison.Ordinal)}");
        var follows = await child.WaitForAsync(l => l.EventId == 1004, $"{child.Name} to observe the Lease", Patience, cancellationToken);
        Quote(child, follows);

        // 2. Hand leadership to it, so that the leader to freeze is a process. A preferred successor must claim the
        //    Lease quickly or another replica takes it; on a busy machine the process can be too slow: hand over again.
        var from = child.Lines.Count - 1;
        ProcessLogLine? leads = null;
        for (var attempt = 1; leads is null; attempt++)
        {
            if (attempt > 1)
            {
                leader = await LeaderAsync(cancellationToken);
                from = child.Lines.Count - 1;
            }

            Expect(await leader.Manager.TriggerFailoverAsync(child.Name, cancellationToken), $"{leader.Name} could not hand over to {child.Name}.");
            try
            {
                leads = await child.WaitForAsync(l => l.EventId == 1000, $"{child.Name} to lead", 2 * LeaseDuration, cancellationToken, from);
            }
            catch (StepFailedException) when (attempt < 3 && !child.HasExited)
            {
                _timeline.Say($"{child.Name} did not claim the Lease {leader.Name} handed it in time (another replica took it); handing over again");
            }
        }

        var term = leads.NumberAfter("(term ") ?? throw new StepFailedException($"No term in {child.Name}'s line: {leads.Text}");
        Quote(child, leads);
        _timeline.Check($"{leader.Name} handed the Lease to {child.Name}: the process leads term {term}");

        // 3. It lists the roosts and starts re-stamping them in its term; it reads a ConfigMap and holds its
        //    update (ManagedRoost:WriteDelay): SIGSTOP it there, between its read and its write.
        var holding = await child.WaitForAsync(l => l.EventId == 9010 && l.NumberAfter(" in term ") == term, $"{child.Name} to read a ConfigMap and hold its update", Patience, cancellationToken, from);
        child.Pause();
        var pausedAt = _journal.Now;
        Quote(child, holding);
        var configMap = ConfigMapIn(holding);
        _timeline.Say($"SIGSTOP {child.Name} (pid {child.Pid}): frozen between its read of ConfigMap {configMap} and its write, still believing it leads term {term}");

        // 4. Past LeaseDuration an in-process replica takes over and re-stamps every roost, that ConfigMap included.
        var successor = await _timeline.ProgressAsync($"waiting for a replica to take over from the frozen leader (LeaseDuration {LeaseDuration.TotalSeconds:F0} s)", async progress =>
        {
            using var ticking = new CancellationTokenSource();
            var ticker = Task.Run(async () =>
            {
                while (!ticking.IsCancellationRequested)
                {
                    progress.Report((_journal.Now - pausedAt) / (LeaseDuration + RetryPeriod));
                    await Task.Delay(100, CancellationToken.None);
                }
            }, CancellationToken.None);
            try
            {
                return await WaitForLeaderAsync(_replicas, $"a replica to take over from the frozen {child.Name}", cancellationToken);
            }
            finally
            {
                await ticking.CancelAsync();
                await ticker;
            }
        });
        var takeover = StartedLeadingAt(successor, pausedAt)!.Value - pausedAt;
        await WaitForRoostsReadyAsync(successor, SampleRoostCount, cancellationToken);
        var newer = TermFence.For(successor.Manager.Leadership ?? throw new StepFailedException($"{successor.Name} does not lead.")).Stamp;
        Expect(await StampOfAsync(configMap, cancellationToken) == newer.ToString(), $"ConfigMap {configMap} does not carry {successor.Name}'s term {newer.Term}.");
        _timeline.Check($"{successor.Name} took over {Timeline.Ms(takeover)} after the SIGSTOP and wrote every roost in term {newer.Term}, ConfigMap {configMap} included");

        // 5. SIGCONT: the process wakes up, its hold is over, and it sends the update it read before the pause.
        var wokeFrom = child.Lines.Count - 1;
        var pausedFor = _journal.Now - pausedAt;
        child.Resume();
        _timeline.Say($"SIGCONT {child.Name} after {Timeline.Seconds(pausedFor)} frozen: it sends the update of {configMap} it held in term {term}");
        var refused = await child.WaitForAsync(
            l => (l.EventId == 9007 && l.NumberAfter(" in term ") == term) || l.EventId is 9004 or 7000,
            $"{child.Name}'s late write to be refused", Patience, cancellationToken, wokeFrom);
        Quote(child, refused);
        Expect(refused.EventId != 9007 || refused.Message.Contains("409", StringComparison.Ordinal), $"{child.Name}'s write was refused otherwise than with 409: {refused.Message}");

        // 6. The API server's record: the late write did not land.
        Expect(await StampOfAsync(configMap, cancellationToken) == newer.ToString(), $"ConfigMap {configMap} no longer carries {successor.Name}'s term {newer.Term}: the late write of term {term} landed.");
        _timeline.Check($"{child.Name}'s write in term {term} was refused by the API server (409: the resourceVersion it read is gone); ConfigMap {configMap} keeps term {newer.Term} of {successor.Name}");
        if (child.Lines.Skip(wokeFrom + 1).FirstOrDefault(l => l.EventId is 1001 or 1013) is { } stopped)
        {
            Quote(child, stopped);
        }

        await child.DisposeAsync();
        _timeline.Say($"killed {child.Name} (SIGKILL)");
        await WaitForRoostsReadyAsync(successor, SampleRoostCount, cancellationToken);
        _timeline.Check($"{successor.Name} reconciles in term {newer.Term}");
        return $"take-over {Timeline.Ms(takeover)} after SIGSTOP; {Timeline.Seconds(pausedFor)} frozen; late write of term {term} refused (409)";
    }

    /// <summary>One of the process's own log lines, on one console line (the log file has it whole).</summary>
    private void Quote(ProcessReplica child, ProcessLogLine line)
    {
        var text = line.ToString();
        _timeline.Say($"{child.Name} logs: {(text.Length > 170 ? text[..169] + "…" : text)}");
    }

    /// <summary>The ConfigMap's name in "... ConfigMap namespace/name in term ...".</summary>
    private static string ConfigMapIn(ProcessLogLine line)
    {
        const string prefix = "ConfigMap " + Namespace + "/";
        var at = line.Message.IndexOf(prefix, StringComparison.Ordinal);
        var end = at < 0 ? -1 : line.Message.IndexOf(' ', at + prefix.Length);
        return end > at ? line.Message[(at + prefix.Length)..end] : throw new StepFailedException($"No ConfigMap named in: {line.Text}");
    }

    private async Task<string?> StampOfAsync(string configMap, CancellationToken cancellationToken)
    {
        var map = await Admin.CoreV1.ReadNamespacedConfigMapAsync(configMap, Namespace, cancellationToken: cancellationToken);
        return map.Metadata.Annotations?.TryGetValue(TermFence.DefaultAnnotation, out var stamp) == true ? stamp : null;
    }
}
