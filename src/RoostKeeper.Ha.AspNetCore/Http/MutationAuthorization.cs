using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.AspNetCore.Diagnostics;

namespace RoostKeeper.Ha.AspNetCore.Http;

/// <summary>
/// The one place that decides whether and how mutating endpoints are mapped: behind the policy named by
/// <c>HaApiOptions.MutationPolicy</c>, or (loudly) without authorization when the demo opt-out
/// (<c>HaApiOptions.AllowUnauthenticatedMutations</c>) is set, or not at all. Every mutating endpoint is in
/// <see cref="Map"/>'s list.
/// </summary>
internal static class MutationAuthorization
{
    /// <summary>Maps <paramref name="mutations"/> under <paramref name="group"/> as the options allow; returns whether they were mapped.</summary>
    /// <param name="group">Where they are mapped.</param>
    /// <param name="mutationPolicy">The policy they require (validated: null or a non-empty name).</param>
    /// <param name="allowUnauthenticated">Without a policy, map them open (a demo) rather than not at all.</param>
    /// <param name="logger">Where the decision is logged.</param>
    /// <param name="mutations">Every mutating endpoint.</param>
    public static bool Map(IEndpointRouteBuilder group, string? mutationPolicy, bool allowUnauthenticated, ILogger logger, IReadOnlyList<MutatingEndpoint> mutations)
    {
        var names = string.Join(", ", mutations.Select(m => $"{m.Method} {m.Pattern}"));
        if (mutationPolicy is { } policy)
        {
            ThrowIfUnknown(group.ServiceProvider, policy);
            var stripped = 0;
            foreach (var mutation in mutations)
            {
                group.MapMethods(mutation.Pattern, [mutation.Method], mutation.Handler)
                    .RequireAuthorization(policy)
                    .AddEndpointFilter((context, next) => EnforceAsync(context, next, policy))
                    .Finally(endpoint =>
                    {
                        // Conventions added to the builder MapRoostHaApi returns (AllowAnonymous, to keep the
                        // read-only endpoints open under a FallbackPolicy) apply to these too; anonymity is
                        // removed again here, and EnforceAsync checks the policy whatever the metadata says.
                        var anonymous = endpoint.Metadata.Where(m => m is IAllowAnonymous).ToList();
                        foreach (var item in anonymous)
                        {
                            endpoint.Metadata.Remove(item);
                        }

                        if (anonymous.Count > 0 && Interlocked.Increment(ref stripped) == 1)
                        {
                            AspNetCoreLog.MutationAnonymityIgnored(logger, names, policy);
                        }
                    });
            }

            AspNetCoreLog.MutationsProtected(logger, names, policy);
            return true;
        }

        if (!allowUnauthenticated)
        {
            // Not mapped means 404 for every one of them: without these answers, routing would say 405 where a
            // read-only endpoint shares the route (POST /backups, DELETE /backups/{id}) and 404 elsewhere.
            foreach (var mutation in mutations)
            {
                group.MapMethods(mutation.Pattern, [mutation.Method], () => Problems.MutationsNotMapped());
            }

            AspNetCoreLog.MutationsNotMapped(logger, names);
            return false;
        }

        AspNetCoreLog.MutationsUnprotected(logger, names);
        foreach (var mutation in mutations)
        {
            group.MapMethods(mutation.Pattern, [mutation.Method], mutation.Handler)
                .AllowAnonymous()
                .AddEndpointFilter((context, next) =>
                {
                    var http = context.HttpContext;
                    AspNetCoreLog.UnprotectedMutationCalled(logger, http.Request.Method, http.Request.Path, http.Connection.RemoteIpAddress?.ToString());
                    return next(context);
                });
        }

        return true;
    }

    /// <summary>
    /// Evaluates the policy named <paramref name="name"/> for the caller as the authorization middleware does (authenticate
    /// with the policy's schemes, then authorize), so a mutation runs only for callers the policy admits even
    /// when a convention marked it anonymous or removed its metadata. The middleware has usually done this
    /// already; evaluating a policy twice is cheap next to any mutation.
    /// </summary>
    private static async ValueTask<object?> EnforceAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, string name)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        var policy = await services.GetRequiredService<IAuthorizationPolicyProvider>().GetPolicyAsync(name).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"HaApiOptions.MutationPolicy names the authorization policy \"{name}\", which the policy provider does not know.");
        var evaluator = services.GetRequiredService<IPolicyEvaluator>();
        var authentication = await evaluator.AuthenticateAsync(policy, http).ConfigureAwait(false);
        var authorization = await evaluator.AuthorizeAsync(policy, authentication, http, http).ConfigureAwait(false);
        if (authorization.Succeeded)
        {
            return await next(context).ConfigureAwait(false);
        }

        return authorization.Challenged
            ? Results.Challenge(authenticationSchemes: [.. policy.AuthenticationSchemes])
            : Results.Forbid(authenticationSchemes: [.. policy.AuthenticationSchemes]);
    }

    /// <summary>
    /// A policy name that no policy answers to would fail every call at request time; with the default
    /// policy provider it is caught at start-up instead. Custom providers are asked at request time.
    /// </summary>
    private static void ThrowIfUnknown(IServiceProvider services, string policy)
    {
        var provider = services.GetService<IAuthorizationPolicyProvider>();
        if (provider is null)
        {
            throw new InvalidOperationException($"HaApiOptions.MutationPolicy is \"{policy}\" but authorization is not set up: call services.AddAuthorization(o => o.AddPolicy(\"{policy}\", ...)) and app.UseAuthentication()/UseAuthorization().");
        }

        if (provider.GetType() == typeof(DefaultAuthorizationPolicyProvider)
            && services.GetRequiredService<IOptions<AuthorizationOptions>>().Value.GetPolicy(policy) is null)
        {
            throw new InvalidOperationException($"HaApiOptions.MutationPolicy names the authorization policy \"{policy}\", which is not registered: add it with services.AddAuthorization(o => o.AddPolicy(\"{policy}\", ...)).");
        }
    }
}
