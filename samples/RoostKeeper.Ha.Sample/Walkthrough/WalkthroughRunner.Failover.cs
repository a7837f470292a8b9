using System.Net;
using System.Net.Http.Headers;
using k8s;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Fencing;
using RoostKeeper.Ha.Sample.Controller;

namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>The hand-over steps: planned, graceful, crash (with fencing) and health-based.</summary>
internal sealed partial class WalkthroughRunner
{
    private async Task<string> HandoverAsync(CancellationToken cancellationToken)
    {
        // 1. Planned hand-over through the API: refused without the operator token, granted with it.
        var leader = await LeaderAsync(cancellationToken);
        var failover = new Uri(leader.Url, "failover");
        using (var anonymous = await Http.PostAsync(failover, null, cancellationToken))
        {
            Expect(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"POST /failover without a token answered {(int)anonymous.StatusCode}, not 401.");
        }

        _timeline.Check("POST /failover without the bearer token: 401");
        var since = _journal.Now;
        using (var request = new HttpRequestMessage(HttpMethod.Post, failover))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token.Value);
            using var granted = await Http.SendAsync(request, cancellationToken);
            Expect(granted.StatusCode == HttpStatusCode.OK, $"POST /failover with the token answered {(int)granted.StatusCode}.");
        }

        var successor = await WaitForLeaderAsync(_replicas.Where(r => r != leader), "a new leader after POST /failover", cancellationToken);
        var planned = StartedLeadingAt(successor, since)!.Value - since;
        _timeline.Check($"POST /failover with the token: {leader.Name} handed over to {successor.Name} in {Timeline.Ms(planned)}");
        await WaitForRoostsReadyAsync(successor, SampleRoostCount, cancellationToken);
        _timeline.Check($"{successor.Name} re-stamped every roost with its term {TermOf(successor)}");

        // 2. Graceful stop (SIGTERM): the leader cancels its work, waits for it, then releases the Lease.
        since = _journal.Now;
        await successor.StopAsync();
        var stoppedAt = StoppedLeadingAt(successor, since);
        var next = await WaitForLeaderAsync(_replicas.Where(r => r != successor), "a new leader after the graceful stop", cancellationToken);
        var graceful = StartedLeadingAt(next, since)!.Value - since;
        Expect(stoppedAt is not null && stoppedAt <= StartedLeadingAt(next, since), $"{successor.Name}'s term did not end before {next.Name}'s began.");
        _timeline.Check($"graceful stop of {successor.Name}: {next.Name} took over {Timeline.Ms(graceful)} after the stop began (no lease wait: the Lease was released)");
        await successor.StartAsync(cancellationToken);
        _timeline.Say($"{successor.Name} restarted as a follower at {successor.Url}");
        await WaitForRoostsReadyAsync(next, SampleRoostCount, cancellationToken);
        return $"failover {Timeline.Ms(planned)}; graceful stop {Timeline.Ms(graceful)}";
    }

    private async Task<string> CrashAsync(CancellationToken cancellationToken)
    {
        var leader = await LeaderAsync(cancellationToken);
        var oldTerm = TermOf(leader);
        var since = _journal.Now;
        Cluster.Faults.Partition(leader.Name);
        Cluster.Faults.Partition(leader.ControllerClientName);
        _timeline.Say($"cut {leader.Name} off from the API server (its Lease renewals and its controller's requests fail)");
        var successor = await _timeline.ProgressAsync($"waiting for a follower to take over (LeaseDuration {LeaseDuration.TotalSeconds:F0} s)", async progress =>
        {
            using var ticking = new CancellationTokenSource();
            var ticker = Task.Run(async () =>
            {
                while (!ticking.IsCancellationRequested)
                {
                    progress.Report((_journal.Now - since) / (LeaseDuration + RetryPeriod));
                    await Task.Delay(100, CancellationToken.None);
                }
            }, CancellationToken.None);
            try
            {
                return await WaitForLeaderAsync(_replicas.Where(r => r != leader), "a follower to take over from the cut-off leader", cancellationToken);
            }
            finally
            {
                await ticking.CancelAsync();
                await ticker;
            }
        });
        var stepDown = StoppedLeadingAt(leader, since);
        var takeover = StartedLeadingAt(successor, since)!.Value;
        Expect(stepDown is not null, $"{leader.Name} never ran OnStoppedLeading after it was cut off.");
        Expect(stepDown < takeover, $"{leader.Name} stepped down at {Timeline.Ms(stepDown!.Value - since)}, after {successor.Name} took over at {Timeline.Ms(takeover - since)}: two leaders overlapped.");
        _timeline.Check($"{leader.Name} stepped down {Timeline.Ms(stepDown.Value - since)} after the cut (RenewDeadline {RenewDeadline.TotalSeconds:F0} s)");
        _timeline.Check($"{successor.Name} took over {Timeline.Ms(takeover - since)} after the cut; the terms did not overlap");
        await WaitForRoostsReadyAsync(successor, SampleRoostCount, cancellationToken);
        _timeline.Check($"{successor.Name} reconciles in term {TermOf(successor)}");

        // Fencing: a write still carrying the old term (a paused ex-leader waking up) is refused, not applied.
        var robin = await Admin.CustomObjects.GetNamespacedCustomObjectAsync<ManagedRoost>(ManagedRoost.Group, ManagedRoost.Version, Namespace, ManagedRoost.Plural, "robin", cancellationToken: cancellationToken);
        using var recorder = new ReconcileRecorder();
        var stale = new ManagedRoostReconciler(Admin, Namespace, recorder, TimeProvider.System, NullLogger.Instance);
        var lease = successor.Manager.Leadership ?? throw new StepFailedException($"{successor.Name} does not lead.");
        var refused = false;
        try
        {
            await stale.ReconcileAsync(robin, null, new TermFence(new TermStamp(oldTerm, lease.LeaseNamespace, lease.LeaseName, leader.Name)), cancellationToken);
        }
        catch (StaleTermException e)
        {
            refused = e.NewerTerm.Term == TermOf(successor);
        }

        Expect(refused, $"A write to robin in the old term {oldTerm} was not refused.");
        _timeline.Check($"a write to robin in {leader.Name}'s old term {oldTerm} is refused (robin carries term {TermOf(successor)})");

        Cluster.Faults.Heal(leader.Name);
        Cluster.Faults.Heal(leader.ControllerClientName);
        await WaitUntilAsync(() => leader.Manager.LeaderIdentity == successor.Name && !leader.IsLeader, $"{leader.Name} to follow {successor.Name} after healing", Patience, cancellationToken);
        _timeline.Check($"healed: {leader.Name} follows {successor.Name}; one leader");
        return $"step-down {Timeline.Ms(stepDown.Value - since)}, take-over {Timeline.Ms(takeover - since)}; stale write refused";
    }

    private async Task<string> HealthAsync(CancellationToken cancellationToken)
    {
        var leader = await LeaderAsync(cancellationToken);
        var since = _journal.Now;
        Cluster.Faults.Partition(leader.ControllerClientName);
        _timeline.Say($"cut off {leader.Name}'s controller client only: it still renews its Lease, but cannot reconcile");
        SampleReplica successor;
        try
        {
            successor = await _timeline.WhileAsync($"waiting for {leader.Name}'s health check to fail and the hand-over", () =>
                WaitForLeaderAsync(_replicas.Where(r => r != leader), "a health-based hand-over", cancellationToken));
        }
        finally
        {
            Cluster.Faults.Heal(leader.ControllerClientName);
        }

        var took = StartedLeadingAt(successor, since)!.Value - since;
        var report = leader.Services.GetService(typeof(RoostKeeper.Ha.Health.HealthManager)) is RoostKeeper.Ha.Health.HealthManager health ? health.LatestReport : null;
        Expect(!Cluster.Faults.IsPartitioned(leader.Name), $"{leader.Name}'s election client was partitioned; this step must hand over on health alone.");
        _timeline.Check($"{leader.Name}'s {ControllerHealthCheck.Name} check went Unhealthy; it handed over to {successor.Name} {Timeline.Seconds(took)} after the cut");
        if (report?.Entries.TryGetValue(ControllerHealthCheck.Name, out var entry) == true && entry.Status != HealthStatus.Healthy)
        {
            _timeline.Say($"{leader.Name}: {entry.Description}");
        }

        await WaitForRoostsReadyAsync(successor, SampleRoostCount, cancellationToken);
        _timeline.Check($"{successor.Name} reconciles in term {TermOf(successor)}; {leader.Name} follows");
        return $"{leader.Name} → {successor.Name} in {Timeline.Seconds(took)} on health";
    }
}
