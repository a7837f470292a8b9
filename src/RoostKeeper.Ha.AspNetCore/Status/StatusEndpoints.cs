using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.AspNetCore.Api;
using RoostKeeper.Ha.AspNetCore.Diagnostics;
using RoostKeeper.Ha.AspNetCore.Http;
using RoostKeeper.Ha.AspNetCore.Sharding;
using RoostKeeper.Ha.Health;

namespace RoostKeeper.Ha.AspNetCore.Status;

/// <summary>The handlers of the replica's own state: GET /status (read-only) and POST /failover (mutating, leader-only).</summary>
internal sealed class StatusEndpoints
{
    private readonly ApiState _api;

    public StatusEndpoints(ApiState api) => _api = api;

    /// <summary>GET /status: identity, leader, term, transitions, the health report and, with sharding, the shard summary.</summary>
    public async Task<IResult> StatusAsync(HttpContext context)
    {
        var manager = context.RequestServices.GetRequiredService<HaManager>();
        var status = await manager.GetStatusAsync(context.RequestAborted).ConfigureAwait(false);

        // GetStatusAsync has just run the checks; with AddHealthChecks their report is kept.
        var report = context.RequestServices.GetService<HealthManager>()?.LatestReport
            ?? await manager.CheckClusterHealthAsync(context.RequestAborted).ConfigureAwait(false);
        var sharding = ShardEndpoints.Ownership(context) is { } ownership ? ShardSummaryDocument.From(ShardMapDocument.From(ownership)) : null;
        return Results.Json(StatusDocument.From(status, report, sharding), ApiJson.Response);
    }

    /// <summary>POST /failover: the leader hands over (to <c>preferredSuccessor</c> when given); a follower answers 409 naming the leader.</summary>
    public async Task<IResult> FailoverAsync(HttpContext context)
    {
        var body = await RequestBody.ReadAsync<FailoverRequest>(context, _api.Settings.MaxRequestBodySize, ApiJson.Request).ConfigureAwait(false);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var manager = context.RequestServices.GetRequiredService<HaManager>();
        var successor = body.Value?.PreferredSuccessor;
        if (successor is not null && (successor.Length == 0 || successor == manager.Identity))
        {
            return Problems.BadRequest(
                "preferredSuccessor",
                successor.Length == 0 ? "preferredSuccessor must be omitted or name another replica." : $"preferredSuccessor names this replica ({manager.Identity}); name another replica or omit it.");
        }

        if (!manager.IsLeader)
        {
            return Problems.NotLeader(manager);
        }

        AspNetCoreLog.FailoverRequested(_api.Logger, context.User.Identity?.Name ?? "an unauthenticated caller", manager.Identity, successor ?? "whoever is first");
        var handedOver = await manager.TriggerFailoverAsync(successor, context.RequestAborted).ConfigureAwait(false);
        return handedOver
            ? Results.Json(new FailoverResponse(manager.Identity, successor), ApiJson.Response)
            : Problems.NotLeader(manager);
    }
}
