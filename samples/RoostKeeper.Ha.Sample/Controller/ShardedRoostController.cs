using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Fencing;
using RoostKeeper.Ha.KubernetesApi;
using RoostKeeper.Ha.Sharding;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>
/// The controller in sharded mode (<c>ManagedRoost:Sharded</c>, <c>AddShardedLeadership</c>): it runs on every
/// replica, and each resync reconciles only the roosts whose shard this replica owns (<see cref="IShardOwnership"/>),
/// each under its shard's term: the fence is the shard's (<see cref="OwnedShard.Stamp"/>) and the reconcile stops
/// when the shard's token is cancelled, before another replica can own the shard.
/// </summary>
/// <remarks>
/// One service with the owned set, not one per shard (<c>AddShardedHostedService</c>): one list of the roosts per
/// resync whatever the number of shards a replica holds. The key of a roost is "{namespace}/{name}".
/// </remarks>
internal sealed class ShardedRoostController(
    IShardOwnership ownership,
    ControllerClient client,
    IOptions<ManagedRoostControllerOptions> options,
    ReconcileRecorder recorder,
    ControllerActivity activity,
    TimeProvider time,
    ILogger<ShardedRoostController> logger,
    ShardOwnershipRecorder? workRecorder = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var reconciler = new ManagedRoostReconciler(client.Kubernetes, settings.Namespace!, recorder, time, logger) { WriteDelay = settings.WriteDelay };
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (ownership.OwnedShards.Count > 0)
                {
                    try
                    {
                        activity.Resynced(await ResyncOwnedAsync(reconciler, stoppingToken));
                    }
                    catch (Exception e) when (!stoppingToken.IsCancellationRequested && KubernetesApiErrors.IsApiOrNetwork(e))
                    {
                        activity.ResyncFailed(e);
                        ControllerLog.ResyncFailed(logger, reconciler.Namespace, settings.ResyncPeriod, e);
                    }
                }

                await Task.Delay(settings.ResyncPeriod, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The replica stops: the normal way out.
        }
    }

    /// <summary>Key of a roost (and of its ConfigMap, by the roost's name): "{namespace}/{name}".</summary>
    public static string KeyOf(string @namespace, string roost) => @namespace + "/" + roost;

    /// <summary>One resync: reconciles the roosts of the shards owned now, and deletes the orphaned ConfigMaps of those shards.</summary>
    internal async Task<IReadOnlyList<ReconcileOutcome>> ResyncOwnedAsync(ManagedRoostReconciler reconciler, CancellationToken stoppingToken)
    {
        var ns = reconciler.Namespace;
        var roosts = await client.Kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ManagedRoostList>(
            ManagedRoost.Group, ManagedRoost.Version, ns, ManagedRoost.Plural, cancellationToken: stoppingToken);
        var maps = (await client.Kubernetes.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: $"{ManagedRoostReconciler.ManagedByLabel}={ManagedRoostReconciler.ManagedByValue}", cancellationToken: stoppingToken))
            .Items.ToDictionary(m => m.Metadata.Name, StringComparer.Ordinal);

        // The shards this resync works for, each with its fence; a shard fenced by a newer term is skipped for the rest of it.
        var fences = new Dictionary<long, TermFence>();
        var fenced = new HashSet<int>();
        var outcomes = new List<ReconcileOutcome>();
        foreach (var roost in roosts.Items)
        {
            var shard = ownership.Find(ownership.ShardOf(KeyOf(ns, roost.Metadata.Name)));
            if (shard is null || fenced.Contains(shard.Shard) || shard.Token.IsCancellationRequested)
            {
                continue;
            }

            var fence = fences.TryGetValue(shard.Term, out var known) ? known : fences[shard.Term] = new TermFence(shard.Stamp, TermFence.DefaultAnnotation, logger);
            using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, shard.Token);
            try
            {
                // The walk-through records each reconcile as work on its shard, to show no shard is worked on twice at once.
                using (workRecorder?.Started(ownership.Identity, shard.Shard, shard.Term))
                {
                    outcomes.Add(await reconciler.ReconcileAsync(roost, maps.GetValueOrDefault(ManagedRoostReconciler.ConfigMapName(roost.Metadata.Name)), fence, work.Token));
                }
            }
            catch (StaleTermException)
            {
                // A newer term of this shard wrote: it has moved. Its other keys wait for the owner it has now.
                fenced.Add(shard.Shard);
            }
            catch (OperationCanceledException) when (shard.Token.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
            {
                // The shard is being given up: its work stops here; the others go on.
            }
        }

        // ConfigMaps whose roost is gone: deleted by the owner of the roost's key.
        var names = roosts.Items.Select(r => r.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var orphan in maps.Values)
        {
            if (orphan.Metadata.Labels?.TryGetValue(ManagedRoostReconciler.RoostLabel, out var roost) == true && !names.Contains(roost)
                && ownership.Find(ownership.ShardOf(KeyOf(ns, roost))) is { } shard && !shard.Token.IsCancellationRequested)
            {
                using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, shard.Token);
                try
                {
                    await reconciler.DeleteOrphanAsync(orphan, new TermFence(shard.Stamp, TermFence.DefaultAnnotation, logger), work.Token);
                }
                catch (Exception e) when (e is StaleTermException or OperationCanceledException && !stoppingToken.IsCancellationRequested)
                {
                    // Moved, or being given up: its new owner sweeps it.
                }
            }
        }

        return outcomes;
    }
}
