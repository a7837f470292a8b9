using System.Net.Http.Json;
using System.Text.Json;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Sample.Controller;

namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>Waiting and reading, shared by the steps.</summary>
internal sealed partial class WalkthroughRunner
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static void Expect(bool condition, string failure)
    {
        if (!condition)
        {
            throw new StepFailedException(failure);
        }
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds; fails the step after <paramref name="timeout"/> saying what it waited for.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (!await condition())
            {
                await Task.Delay(50, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StepFailedException($"Waited {timeout.TotalSeconds:F0} s for {what}; it did not happen.");
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, timeout, cancellationToken);

    /// <summary>Waits until one of <paramref name="candidates"/> leads and its OnStartedLeading ran for that term.</summary>
    private async Task<SampleReplica> WaitForLeaderAsync(IEnumerable<SampleReplica> candidates, string what, CancellationToken cancellationToken)
    {
        SampleReplica? leader = null;
        await WaitUntilAsync(
            () =>
            {
                leader = candidates.FirstOrDefault(r => r.IsRunning && r.IsLeader && r.Manager.Leadership is { } l
                    && _journal.Snapshot().Any(e => e.Replica == r.Name && e.Kind == LeadershipEventKind.StartedLeading && e.Term == l.Term));
                return leader is not null;
            },
            what, Patience, cancellationToken);
        return leader!;
    }

    /// <summary>The leader, waiting for one when a term is changing (a loaded machine can delay a renewal past its deadline).</summary>
    private Task<SampleReplica> LeaderAsync(CancellationToken cancellationToken) => WaitForLeaderAsync(_replicas, "a leader", cancellationToken);

    private static long TermOf(SampleReplica replica) => replica.Manager.Leadership?.Term ?? throw new StepFailedException($"{replica.Name} does not lead.");

    private Task<ManagedRoostList> RoostsAsync(CancellationToken cancellationToken) =>
        Admin.CustomObjects.ListNamespacedCustomObjectAsync<ManagedRoostList>(ManagedRoost.Group, ManagedRoost.Version, Namespace, ManagedRoost.Plural, cancellationToken: cancellationToken);

    private async Task<IList<V1ConfigMap>> RoostConfigMapsAsync(CancellationToken cancellationToken) =>
        (await Admin.CoreV1.ListNamespacedConfigMapAsync(Namespace, labelSelector: $"{ManagedRoostReconciler.ManagedByLabel}={ManagedRoostReconciler.ManagedByValue}", cancellationToken: cancellationToken)).Items;

    /// <summary>Waits until every roost is Ready, stamped by <paramref name="leader"/>'s current term, with its ConfigMap.</summary>
    private async Task WaitForRoostsReadyAsync(SampleReplica leader, int count, CancellationToken cancellationToken)
    {
        var term = TermOf(leader);
        await WaitUntilAsync(
            async () =>
            {
                var roosts = (await RoostsAsync(cancellationToken)).Items;
                var maps = (await RoostConfigMapsAsync(cancellationToken)).Select(m => m.Metadata.Name).ToHashSet();
                return roosts.Count == count && roosts.All(r =>
                    r.Status is { Phase: "Ready" } s && s.Leader == leader.Name && s.Term == term && s.ObservedGeneration == r.Metadata.Generation
                    && maps.Contains(ManagedRoostReconciler.ConfigMapName(r.Metadata.Name)));
            },
            $"{count} ManagedRoosts Ready with their ConfigMaps, written by {leader.Name} in term {term}", Patience, cancellationToken);
    }

    /// <summary>GET /status of a replica (the RoostKeeper.Ha.AspNetCore endpoint).</summary>
    private static async Task<JsonElement> StatusAsync(SampleReplica replica, CancellationToken cancellationToken) =>
        await Http.GetFromJsonAsync<JsonElement>(new Uri(replica.Url, "status"), cancellationToken);

    private TimeSpan? StartedLeadingAt(SampleReplica replica, TimeSpan since) =>
        _journal.First(since, e => e.Replica == replica.Name && e.Kind == LeadershipEventKind.StartedLeading)?.At;

    private TimeSpan? StoppedLeadingAt(SampleReplica replica, TimeSpan since) =>
        _journal.First(since, e => e.Replica == replica.Name && e.Kind == LeadershipEventKind.StoppedLeading)?.At;
}
