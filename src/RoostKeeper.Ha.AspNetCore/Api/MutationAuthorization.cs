using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.AspNetCore.Diagnostics;

namespace RoostKeeper.Ha.AspNetCore.Api;

/// <summary>
/// The one place that decides whether and how mutating endpoints are mapped: behind
/// <see cref="RoostHaApiOptions.MutationPolicy"/>, or (loudly) without authorization when the demo opt-out
/// is set, or not at all. Backup, restore and update endpoints are added to <see cref="Map"/>'s list.
/// </summary>
internal static class MutationAuthorization
{
    /// <summary>Maps <paramref name="mutations"/> under <paramref name="group"/> as the options allow; returns whether they were mapped.</summary>
    public static bool Map(IEndpointRouteBuilder group, RoostHaApiOptions options, ILogger logger, IReadOnlyList<MutatingEndpoint> mutations)
    {
        var names = string.Join(", ", mutations.Select(m => $"{m.Method} {m.Pattern}"));
        if (options.MutationPolicy is { } policy)
        {
            ThrowIfUnknown(group.ServiceProvider, policy);
            foreach (var mutation in mutations)
            {
                group.MapMethods(mutation.Pattern, [mutation.Method], mutation.Handler).RequireAuthorization(policy);
            }

            AspNetCoreLog.MutationsProtected(logger, names, policy);
            return true;
        }

        if (!options.AllowUnauthenticatedMutations)
        {
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
    /// A policy name that no policy answers to would fail every call at request time; with the default
    /// policy provider it is caught at start-up instead. Custom providers are asked at request time.
    /// </summary>
    private static void ThrowIfUnknown(IServiceProvider services, string policy)
    {
        if (string.IsNullOrWhiteSpace(policy))
        {
            throw new OptionsValidationException(nameof(RoostHaApiOptions), typeof(RoostHaApiOptions), ["RoostHaApiOptions.MutationPolicy must be null or the name of an authorization policy, not empty."]);
        }

        var provider = services.GetService<IAuthorizationPolicyProvider>();
        if (provider is null)
        {
            throw new InvalidOperationException($"RoostHaApiOptions.MutationPolicy is \"{policy}\" but authorization is not set up: call services.AddAuthorization(o => o.AddPolicy(\"{policy}\", ...)) and app.UseAuthentication()/UseAuthorization().");
        }

        if (provider.GetType() == typeof(DefaultAuthorizationPolicyProvider)
            && services.GetRequiredService<IOptions<AuthorizationOptions>>().Value.GetPolicy(policy) is null)
        {
            throw new InvalidOperationException($"RoostHaApiOptions.MutationPolicy names the authorization policy \"{policy}\", which is not registered: add it with services.AddAuthorization(o => o.AddPolicy(\"{policy}\", ...)).");
        }
    }
}

/// <summary>One mutating endpoint: its method, route pattern (under the prefix) and handler.</summary>
internal sealed record MutatingEndpoint(string Method, string Pattern, Func<HttpContext, Task<IResult>> Handler);
