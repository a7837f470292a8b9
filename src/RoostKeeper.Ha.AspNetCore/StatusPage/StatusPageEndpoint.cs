using System.Diagnostics;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.AspNetCore.Api;
using RoostKeeper.Ha.AspNetCore.Diagnostics;
using RoostKeeper.Ha.AspNetCore.Sharding;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.KubernetesApi;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.AspNetCore.StatusPage;

/// <summary>
/// GET / under the prefix: gathers the page from the election Lease (holder, acquireTime, transitions),
/// the per-replica health Leases (named <c>{lease}-health-…</c>, labelled <c>roostkeeper.ha/health-of</c>;
/// see docs/health.md), the latest health report, the shard map (with sharded leadership), the last backups (with the validation state this replica
/// knows), the last rolling updates and the running operations. A failed read is shown on the page, not hidden.
/// </summary>
internal sealed class StatusPageEndpoint
{
    // The label and annotation written by RoostKeeper.Ha's ReplicaHealthLeases (docs/health.md).
    private const string HealthOfLabel = "roostkeeper.ha/health-of";
    private const string HealthAnnotation = "roostkeeper.ha/health";

    private const int Rows = 5;

    private readonly ILogger _logger;
    private readonly ApiState _api;

    public StatusPageEndpoint(ApiState api)
    {
        _api = api;
        _logger = api.Logger;
    }

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var manager = services.GetRequiredService<HaManager>();
        var election = services.GetRequiredService<IOptions<LeaderElectionOptions>>().Value;
        var client = services.GetRequiredService<IKubernetes>();
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var ns = election.LeaseNamespace!;
        var name = election.LeaseName!;
        var problems = new List<string>();
        var token = context.RequestAborted;

        V1Lease? lease = null;
        try
        {
            lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsApiFailure(e, token))
        {
            problems.Add(Failure(context, $"Lease {ns}/{name}", e));
        }

        IList<V1Lease> healthLeases = [];
        try
        {
            healthLeases = (await client.CoordinationV1.ListNamespacedLeaseAsync(ns, labelSelector: HealthOfLabel, cancellationToken: token).ConfigureAwait(false)).Items;
        }
        catch (Exception e) when (IsApiFailure(e, token))
        {
            problems.Add(Failure(context, $"the health Leases in {ns}", e));
        }

        var report = services.GetService<HealthManager>()?.LatestReport
            ?? await manager.CheckClusterHealthAsync(token).ConfigureAwait(false);

        IReadOnlyList<BackupRow>? backups = null;
        if (services.GetService<RecoveryManager>() is { } recovery)
        {
            try
            {
                var listed = await recovery.ListBackupsAsync(token).ConfigureAwait(false);
                backups = [.. listed.Take(Rows).Select(b => new BackupRow(b.Id, b.CreatedAt, b.ObjectCount, b.ArchiveSizeBytes, _api.Ledger.Get(b.Id)))];
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                // A store is a file system or an object store: whatever it throws is shown as a problem (its type), not hidden.
                problems.Add(Failure(context, "the backups", e));
                backups = [];
            }
        }

        var updates = services.GetService<RollingUpdateManager>()?.ListUpdates().Take(Rows).ToList();
        var shards = ShardEndpoints.Ownership(context) is { } ownership ? ShardMapDocument.From(ownership) : null;
        if (shards?.Problem is { } shardProblem)
        {
            problems.Add("Sharding: " + shardProblem);
        }

        var running = _api.Operations.List().Where(o => o.IsRunning).Select(o => o.ToDocument(_api.OperationLocation(context, o.Id))).ToList();

        var now = time.GetUtcNow();
        var holder = lease?.Spec?.HolderIdentity is { Length: > 0 } h ? h : null;
        var leader = manager.LeaderIdentity ?? holder;
        var replicas = Replicas(name, manager.Identity, holder, leader, healthLeases, now);
        var model = new StatusPageModel(
            manager.Identity,
            manager.IsLeader,
            $"{ns}/{name}",
            leader,
            lease?.Spec?.AcquireTime is { } acquired ? Utc(acquired) : null,
            lease?.Spec?.RenewTime is { } renewed ? Utc(renewed) : null,
            lease?.Spec?.LeaseTransitions ?? 0,
            replicas,
            report,
            problems,
            now,
            _api.Settings.StatusPageRefresh,
            backups,
            updates,
            running,
            shards);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Content(StatusPageRenderer.Render(model), "text/html; charset=utf-8");
    }

    private static List<ReplicaRow> Replicas(string electionLease, string self, string? holder, string? leader, IEnumerable<V1Lease> healthLeases, DateTimeOffset now)
    {
        var rows = new Dictionary<string, ReplicaRow>(StringComparer.Ordinal);
        foreach (var lease in healthLeases)
        {
            // The label value is shortened for long Lease names; the object name always starts with the Lease's.
            if (lease.Metadata?.Name?.StartsWith(electionLease + "-health-", StringComparison.Ordinal) != true
                || lease.Spec?.HolderIdentity is not { Length: > 0 } identity)
            {
                continue;
            }

            var renewedAt = lease.Spec.RenewTime is { } r ? Utc(r) : (DateTimeOffset?)null;
            var fresh = renewedAt is { } at && now - at <= TimeSpan.FromSeconds(lease.Spec.LeaseDurationSeconds ?? 0);
            var health = lease.Metadata.Annotations?.TryGetValue(HealthAnnotation, out var text) == true ? text : null;
            rows[identity] = new ReplicaRow(identity, identity == leader, health, renewedAt, fresh);
        }

        // This replica, and the holder, are seen even when they publish no health (no StepDownWhenUnhealthy).
        foreach (var known in new[] { self, holder, leader })
        {
            if (known is not null && !rows.ContainsKey(known))
            {
                rows[known] = new ReplicaRow(known, known == leader, null, null, false);
            }
        }

        return [.. rows.Values.OrderByDescending(r => r.Leads).ThenBy(r => r.Identity, StringComparer.Ordinal)];
    }

    /// <summary>
    /// What the (unauthenticated) page says about a failed read: the HTTP status of an API answer, else only the
    /// exception's type and a trace id; the message, which may name hosts, paths or buckets, goes to the log.
    /// </summary>
    private string Failure(HttpContext context, string what, Exception e)
    {
        var traceId = Activity.Current?.Id ?? context.TraceIdentifier;
        var status = KubernetesApiErrors.StatusCode(e) is { } code ? $"HTTP {code} {ReasonPhrases.GetReasonPhrase(code)}" : null;
        AspNetCoreLog.StatusReadFailed(_logger, what, traceId, KubernetesApiErrors.IsApiOrNetwork(e) ? KubernetesApiErrors.Describe(e) : $"{e.GetType().Name}: {e.Message}");
        return status is not null
            ? $"Could not read {what}: {status}."
            : $"Could not read {what}: {e.GetType().Name}{(StoreFailures.IsFromStore(e) ? " from the backup store" : "")}; the replica's log has the details under trace id {traceId}.";
    }

    // The page reports what it could not read (an API answer, a network failure, a timeout); only the caller
    // going away ends the request, and a defect goes to the endpoint filter like anywhere else.
    private static bool IsApiFailure(Exception e, CancellationToken token) =>
        !token.IsCancellationRequested && KubernetesApiErrors.IsApiOrNetwork(e);

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
