using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.AspNetCore.Api;

namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>
/// GET /operations and GET /operations/{id}: the operations of this replica, with state, progress and result.
/// A follower that forwards to the leader also forwards polls of operations it does not know, so a caller
/// behind a Service can poll the Location it was given whichever replica answers.
/// </summary>
internal sealed class OperationEndpoints
{
    private readonly ApiState _api;

    public OperationEndpoints(ApiState api) => _api = api;

    public Task<IResult> ListAsync(HttpContext context) => Task.FromResult(
        Results.Json(_api.Operations.List().Select(o => o.ToDocument(_api.OperationLocation(context, o.Id))).ToList(), ApiEndpoints.Json));

    public async Task<IResult> GetAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        if (!RouteIds.IsValid(id))
        {
            return Problems.BadId("id", id);
        }

        if (_api.Operations.Get(id) is { } operation)
        {
            var document = operation.ToDocument(_api.OperationLocation(context, id));
            if (document.State == OperationState.Running)
            {
                context.Response.Headers.RetryAfter = "1";
            }

            return Results.Json(document, ApiEndpoints.Json);
        }

        return _api.Forwarder.ShouldForward(context, out var leader, out var address)
            ? await _api.Forwarder.ForwardAsync(context, leader, address).ConfigureAwait(false)
            : Problems.OperationNotFound(id, _api.Manager);
    }
}
