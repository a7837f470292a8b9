using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.AspNetCore;
using RoostKeeper.Ha.AspNetCore.Api;
using RoostKeeper.Ha.AspNetCore.Diagnostics;
using RoostKeeper.Ha.AspNetCore.StatusPage;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the HTTP API and the status page of a RoostKeeper.Ha replica.</summary>
public static class RoostHaApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <see cref="RoostHaApiOptions.RoutePrefix"/>: the status page at <c>/</c> and
    /// <c>GET /status</c> (open, read-only), and the mutating endpoints (<c>POST /failover</c>), which
    /// require <see cref="RoostHaApiOptions.MutationPolicy"/>; without a policy they are not mapped and a
    /// warning at start-up says why, unless <see cref="RoostHaApiOptions.AllowUnauthenticatedMutations"/>
    /// is set for a demo. Errors are RFC 7807 problem details without stack traces. Needs
    /// <c>services.AddRoostHa(...)</c>.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder for conventions applied to every endpoint mapped (read-only and mutating).</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message names it and the rule.</exception>
    /// <exception cref="InvalidOperationException">The mutation policy is not registered, or authorization is not set up.</exception>
    public static IEndpointConventionBuilder MapRoostHaApi(this IEndpointRouteBuilder endpoints, Action<RoostHaApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = new RoostHaApiOptions();
        configure?.Invoke(options);
        var prefix = Validate(options);
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
                return Problems.Failed(traceId);
            }
        });

        var api = new ApiEndpoints(options, logger);
        var page = new StatusPageEndpoint(options, logger);
        group.MapGet("/", (Delegate)page.HandleAsync).WithDisplayName("RoostKeeper.Ha status page");
        group.MapGet("/status", (Delegate)api.StatusAsync).WithDisplayName("RoostKeeper.Ha status");

        MutationAuthorization.Map(group, options, logger,
        [
            new MutatingEndpoint("POST", "/failover", api.FailoverAsync),
        ]);
        return group;
    }

    private static string Validate(RoostHaApiOptions options)
    {
        var failures = new List<string>();
        string prefix = "";
        try
        {
            prefix = RoutePrefix.Validate(options.RoutePrefix, "RoostHaApiOptions.RoutePrefix");
        }
        catch (ArgumentException e)
        {
            failures.Add(e.Message.Split(" (Parameter", 2)[0]);
        }

        if (options.MaxRequestBodySize <= 0)
        {
            failures.Add($"RoostHaApiOptions.MaxRequestBodySize ({options.MaxRequestBodySize}) must be greater than zero.");
        }

        if (options.StatusPageRefresh < TimeSpan.FromSeconds(1))
        {
            failures.Add($"RoostHaApiOptions.StatusPageRefresh ({options.StatusPageRefresh.TotalMilliseconds}ms) must be at least 1s.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(RoostHaApiOptions), typeof(RoostHaApiOptions), failures);
        }

        return prefix;
    }
}
