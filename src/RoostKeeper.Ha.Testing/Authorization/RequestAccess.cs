using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Authorization;

/// <summary>
/// Authentication, impersonation and authorization of every request, in the API server's order. A bearer token
/// issued by <see cref="SimulatedCluster.CreateToken"/> names the identity; a request without credentials is the
/// built-in admin; an unknown token is 401 with RBAC on and the admin without it. <c>Impersonate-User</c> and <c>Impersonate-Group</c> (kubectl
/// <c>--as</c>, <c>--as-group</c>) are honoured when the requester may <c>impersonate</c> them. With RBAC off every
/// authenticated request is allowed (the AlwaysAllow authorizer); with it on, <see cref="RbacAuthorizer"/> decides.
/// </summary>
internal sealed class RequestAccess
{
    private const string IdentityKey = "roostha.identity";
    private readonly ConcurrentDictionary<string, ClusterIdentity> _tokens = new(StringComparer.Ordinal);
    private readonly RbacAuthorizer? _rbac;

    public RequestAccess(ObjectStore store, bool rbac) => _rbac = rbac ? new RbacAuthorizer(store) : null;

    public bool RbacEnabled => _rbac is not null;

    /// <summary>A bearer token that authenticates as <paramref name="identity"/> for as long as the cluster runs.</summary>
    public string Issue(ClusterIdentity identity)
    {
        var token = "roostha-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        _tokens[token] = identity;
        return token;
    }

    /// <summary>The identity an earlier <see cref="Admit"/> established for this request.</summary>
    public static ClusterIdentity IdentityOf(HttpContext context) =>
        context.Items.TryGetValue(IdentityKey, out var identity) && identity is ClusterIdentity known ? known : ClusterIdentity.Admin;

    /// <summary>
    /// Authenticates, impersonates and authorizes; throws 401 or 403 as the API server answers. A resource request
    /// passes <paramref name="resource"/>, which gives its attributes for the identity; null is a non-resource request.
    /// </summary>
    public ClusterIdentity Admit(HttpContext context, Func<ClusterIdentity, RequestAttributes>? resource)
    {
        var user = Authenticate(context.Request);
        user = Impersonate(context.Request, user);
        context.Items[IdentityKey] = user;
        var attributes = resource is null
            ? RequestAttributes.NonResource(user, NonResourceVerb(context.Request.Method), context.Request.Path.Value ?? "/")
            : resource(user);
        var decision = Authorize(attributes);
        if (!decision.Allowed)
        {
            throw Forbidden.For(attributes, decision.Reason);
        }

        return user;
    }

    public AuthorizationDecision Authorize(RequestAttributes attributes) =>
        _rbac?.Authorize(attributes) ?? new AuthorizationDecision(true, "");

    /// <summary>
    /// The rules RBAC grants <paramref name="user"/> in <paramref name="namespace"/> and the error of any binding whose
    /// role is missing; null without RBAC, where everything is allowed.
    /// </summary>
    public (List<JsonObject> Rules, string? Error)? RulesFor(ClusterIdentity user, string @namespace) =>
        _rbac?.RulesFor(user, @namespace);

    /// <summary>The identity a request bearing <paramref name="token"/> authenticates as (a TokenReview's answer), or null when it would be 401.</summary>
    public ClusterIdentity? AuthenticateToken(string token) =>
        _tokens.TryGetValue(token, out var identity) ? identity : RbacEnabled ? null : ClusterIdentity.Admin;

    private ClusterIdentity Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.FirstOrDefault();
        if (string.IsNullOrEmpty(header))
        {
            return ClusterIdentity.Admin;
        }

        const string Bearer = "Bearer ";
        if (header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) && _tokens.TryGetValue(header[Bearer.Length..].Trim(), out var identity))
        {
            return identity;
        }

        // Without RBAC any credential is the admin, so a kubeconfig with a dummy token (which KubernetesClient
        // needs) keeps working; with RBAC a token the cluster did not issue is refused as a real server refuses it.
        return RbacEnabled ? throw new ApiException(HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized") : ClusterIdentity.Admin;
    }

    private ClusterIdentity Impersonate(HttpRequest request, ClusterIdentity requester)
    {
        var userName = request.Headers["Impersonate-User"].FirstOrDefault();
        var groups = request.Headers["Impersonate-Group"].Where(g => !string.IsNullOrEmpty(g)).Select(g => g!).ToList();
        if (string.IsNullOrEmpty(userName))
        {
            if (groups.Count > 0)
            {
                throw ApiException.BadRequest($"requested impersonation of groups [{string.Join(", ", groups)}] without impersonating a user (Impersonate-User)");
            }

            return requester;
        }

        var serviceAccount = ClusterIdentity.ParseServiceAccount(userName);
        var asUser = serviceAccount is var (ns, name)
            ? new RequestAttributes(requester, "impersonate", true, Resource: "serviceaccounts", Namespace: ns, Name: name)
            : new RequestAttributes(requester, "impersonate", true, Resource: "users", Name: userName);
        Require(asUser);
        foreach (var group in groups)
        {
            Require(new RequestAttributes(requester, "impersonate", true, Resource: "groups", Name: group));
        }

        if (groups.Count == 0 && serviceAccount is var (saNamespace, _))
        {
            groups.AddRange(ClusterIdentity.ServiceAccountGroups(saNamespace)[..2]);
        }

        if (userName != "system:anonymous" && !groups.Contains(ClusterIdentity.AuthenticatedGroup))
        {
            groups.Add(ClusterIdentity.AuthenticatedGroup);
        }

        return ClusterIdentity.Exactly(userName, groups);
    }

    private void Require(RequestAttributes attributes)
    {
        var decision = Authorize(attributes);
        if (!decision.Allowed)
        {
            throw Forbidden.For(attributes, decision.Reason);
        }
    }

    private static string NonResourceVerb(string method) => method switch
    {
        "GET" or "HEAD" => "get",
        "POST" => "post",
        "PUT" => "put",
        "PATCH" => "patch",
        "DELETE" => "delete",
        _ => method.ToLowerInvariant(),
    };
}
