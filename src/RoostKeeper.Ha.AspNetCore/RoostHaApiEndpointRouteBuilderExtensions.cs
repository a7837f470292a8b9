using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.AspNetCore;
using RoostKeeper.Ha.AspNetCore.Api;
using RoostKeeper.Ha.AspNetCore.Backups;
using RoostKeeper.Ha.AspNetCore.Diagnostics;
using RoostKeeper.Ha.AspNetCore.Http;
using RoostKeeper.Ha.AspNetCore.Operations;
using RoostKeeper.Ha.AspNetCore.RollingUpdates;
using RoostKeeper.Ha.AspNetCore.Sharding;
using RoostKeeper.Ha.AspNetCore.Status;
using RoostKeeper.Ha.AspNetCore.StatusPage;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the HTTP API and the status page of a RoostKeeper.Ha replica.</summary>
public static class RoostHaApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <see cref="HaApiOptions.RoutePrefix"/>: the status page at <c>/</c>, <c>GET /status</c>,
    /// <c>GET /backups</c>, <c>GET /backups/{id}</c>, <c>GET /operations</c>, <c>GET /operations/{id}</c>,
    /// <c>GET /updates</c>, <c>GET /updates/{id}</c> and <c>GET /shards</c> (open, read-only), and the mutating endpoints
    /// (<c>POST /failover</c>, <c>POST /backup</c>, <c>POST /backups</c>, <c>POST /backups/{id}/validate</c>,
    /// <c>DELETE /backups/{id}</c>, <c>POST /restore/{id}</c>), which require
    /// <see cref="HaApiOptions.MutationPolicy"/>; without a policy they are not mapped and a warning at
    /// start-up says why, unless <see cref="HaApiOptions.AllowUnauthenticatedMutations"/> is set for a demo.
    /// Backups and restores run on the leader as operations to poll (202 + Location), cancelled when its term
    /// ends; a follower answers 409 naming the leader, or forwards (<see cref="HaApiOptions.ForwardToLeader"/>).
    /// Errors are RFC 7807 problem details without stack traces. Needs <c>services.AddRoostHa(...)</c>; the
    /// backup endpoints need <c>AddBackups(...)</c>, the update endpoints <c>AddRollingUpdates()</c> and the shard map
    /// <c>AddShardedLeadership(...)</c> (else 501).
    /// Map it before the host starts, so leader-only work joins the first term.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>
    /// A builder for conventions applied to every endpoint mapped (read-only and mutating). No convention opens
    /// the mutating endpoints: <c>AllowAnonymous()</c> on it opens the read-only ones only (a warning says so),
    /// and the mutating ones check <see cref="HaApiOptions.MutationPolicy"/> themselves whatever their metadata says.
    /// </returns>
    /// <exception cref="OptionsValidationException">An option is invalid (see <see cref="HaApiOptions"/>); the message names each one and its rule.</exception>
    /// <exception cref="InvalidOperationException">AddRoostHa was not called, the mutation policy is not registered, or authorization is not set up.</exception>
    public static IEndpointConventionBuilder MapRoostHaApi(this IEndpointRouteBuilder endpoints, Action<HaApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = new HaApiOptions();
        configure?.Invoke(options);
        HaApiOptionsValidator.ThrowIfInvalid(options);
        var prefix = RoutePrefix.Validate(options.RoutePrefix, "HaApiOptions.RoutePrefix");
        var logger = (endpoints.ServiceProvider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(AspNetCoreLog.Category);

        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (Exception e) when (!context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                // No stack trace leaves the process: the log has it, the caller gets the trace id.
                var traceId = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
                AspNetCoreLog.EndpointFailed(logger, e, context.HttpContext.Request.Method, context.HttpContext.Request.Path, traceId);
                return Problems.Failed(traceId, e);
            }
        });

        var settings = new ApiSettings(prefix, options.MaxRequestBodySize, options.StatusPageRefresh, options.RetainedOperations, options.LeaderUrlTemplate, options.ForwardToLeader);
        var state = new ApiState(settings, logger, endpoints.ServiceProvider);
        var api = new StatusEndpoints(state);
        var page = new StatusPageEndpoint(state);
        var backups = new BackupEndpoints(state);
        var restores = new RestoreEndpoints(state, backups);
        var operations = new OperationEndpoints(state.Operations, state.Locations, state.Forwarder, state.Manager);
        group.MapGet("/", (Delegate)page.HandleAsync).WithDisplayName("RoostKeeper.Ha status page");
        group.MapGet("/status", (Delegate)api.StatusAsync).WithDisplayName("RoostKeeper.Ha status");
        group.MapGet("/backups", (Delegate)backups.ListAsync).WithDisplayName("RoostKeeper.Ha backups");
        group.MapGet("/backups/{id}", (Delegate)backups.GetAsync).WithDisplayName("RoostKeeper.Ha backup");
        group.MapGet("/operations", (Delegate)operations.ListAsync).WithDisplayName("RoostKeeper.Ha operations");
        group.MapGet("/operations/{id}", (Delegate)operations.GetAsync).WithDisplayName("RoostKeeper.Ha operation");
        group.MapGet("/updates", (Delegate)UpdateEndpoints.ListAsync).WithDisplayName("RoostKeeper.Ha updates");
        group.MapGet("/updates/{id}", (Delegate)UpdateEndpoints.GetAsync).WithDisplayName("RoostKeeper.Ha update");
        group.MapGet("/shards", (Delegate)ShardEndpoints.GetAsync).WithDisplayName("RoostKeeper.Ha shards");

        // Leader-only ones are forwarded or refused on a follower; validation reads only, so any replica runs it.
        MutationAuthorization.Map(group, options.MutationPolicy, options.AllowUnauthenticatedMutations, logger,
        [
            new MutatingEndpoint("POST", "/failover", state.LeaderOnly(api.FailoverAsync)),
            new MutatingEndpoint("POST", "/backup", state.LeaderOnly(backups.CreateAsync)),
            new MutatingEndpoint("POST", "/backups", state.LeaderOnly(backups.CreateAsync)),
            new MutatingEndpoint("POST", "/backups/{id}/validate", backups.ValidateAsync),
            new MutatingEndpoint("DELETE", "/backups/{id}", state.LeaderOnly(backups.DeleteAsync)),
            new MutatingEndpoint("POST", "/restore/{id}", state.LeaderOnly(restores.RestoreAsync)),
        ]);
        return group;
    }
}
