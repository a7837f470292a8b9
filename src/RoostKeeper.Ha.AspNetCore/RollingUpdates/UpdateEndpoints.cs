using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.AspNetCore.Http;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.AspNetCore.RollingUpdates;

/// <summary>
/// GET /updates and GET /updates/{id}: the rolling updates <see cref="RollingUpdateManager"/> ran or runs on this
/// replica (read-only; updates are started in code, not over HTTP). Without <c>AddRollingUpdates()</c> they answer 501.
/// </summary>
internal static class UpdateEndpoints
{
    public static Task<IResult> ListAsync(HttpContext context) => Task.FromResult(
        Manager(context) is { } manager
            ? Results.Json(manager.ListUpdates(), ApiJson.Response)
            : NotConfigured());

    public static Task<IResult> GetAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        return Task.FromResult(
            !RouteIds.IsValid(id) ? Problems.BadId("id", id)
            : Manager(context) is not { } manager ? NotConfigured()
            : manager.GetUpdateStatus(id) is { } status ? Results.Json(status, ApiJson.Response)
            : Problems.UpdateNotFound(id));
    }

    internal static RollingUpdateManager? Manager(HttpContext context) => context.RequestServices.GetService<RollingUpdateManager>();

    private static IResult NotConfigured() => Problems.NotConfigured("Rolling updates", "add .AddRollingUpdates() to AddRoostHa(...)");
}
