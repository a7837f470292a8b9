using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.AspNetCore.Diagnostics;
using RoostKeeper.Ha.Health;

namespace RoostKeeper.Ha.AspNetCore.StatusPage;

/// <summary>
/// GET / under the prefix: gathers the page from the election Lease (holder, acquireTime, transitions),
/// the per-replica health Leases (named <c>{lease}-health-…</c>, labelled <c>roostkeeper.ha/health-of</c>;
/// see docs/health.md) and the latest health report. A failed read is shown on the page, not hidden.
/// </summary>
internal sealed class StatusPageEndpoint
{
    // The label and annotation written by RoostKeeper.Ha's ReplicaHealthLeases (docs/health.md).
    private const string HealthOfLabel = "roostkeeper.ha/health-of";
    private const string HealthAnnotation = "roostkeeper.ha/health";

    private readonly RoostHaApiOptions _options;
    private readonly ILogger _logger;

    public StatusPageEndpoint(RoostHaApiOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var manager = services.GetRequiredService<HaManager>();
        var election = services.GetRequiredService<IOptions<RoostHaOptions>>().Value;
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
            problems.Add(Failure($"Lease {ns}/{name}", e));
        }

        IList<V1Lease> healthLeases = [];
        try
        {
            healthLeases = (await client.CoordinationV1.ListNamespacedLeaseAsync(ns, labelSelector: HealthOfLabel, cancellationToken: token).ConfigureAwait(false)).Items;
        }
        catch (Exception e) when (IsApiFailure(e, token))
        {
            problems.Add(Failure($"the health Leases in {ns}", e));
        }

        var report = services.GetService<HealthManager>()?.LatestReport
            ?? await manager.CheckClusterHealthAsync(token).ConfigureAwait(false);

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
            _options.StatusPageRefresh);
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

    private string Failure(string what, Exception e)
    {
        var reason = e is HttpOperationException api ? $"HTTP {(int)api.Response.StatusCode} {api.Response.ReasonPhrase}" : e.Message;
        AspNetCoreLog.StatusReadFailed(_logger, what, reason);
        return $"Could not read {what}: {reason}.";
    }

    // The page reports what it could not read; only the caller going away ends the request.
    private static bool IsApiFailure(Exception e, CancellationToken token) =>
        !token.IsCancellationRequested && e is HttpOperationException or HttpRequestException or OperationCanceledException;

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
