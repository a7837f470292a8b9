using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.AspNetCore.Http;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.AspNetCore.Sharding;

/// <summary>
/// GET /shards: the shard map of sharded leadership as this replica sees it (read-only, open like GET /status; it
/// reads memory only, never the API server). Without <c>AddShardedLeadership(...)</c> it answers 501.
/// </summary>
internal static class ShardEndpoints
{
    public static Task<IResult> GetAsync(HttpContext context) => Task.FromResult(
        Ownership(context) is { } ownership
            ? Results.Json(ShardMapDocument.From(ownership), ApiJson.Response)
            : Problems.NotConfigured("Shards", "add .AddShardedLeadership(...) to AddRoostHa(...)"));

    /// <summary>The replica's shard ownership, or null when sharded leadership is not enabled.</summary>
    internal static IShardOwnership? Ownership(HttpContext context) => context.RequestServices.GetService<IShardOwnership>();
}
