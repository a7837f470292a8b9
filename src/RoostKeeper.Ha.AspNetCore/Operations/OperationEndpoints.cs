using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.AspNetCore.Forwarding;
using RoostKeeper.Ha.AspNetCore.Http;

namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>
/// GET /operations and GET /operations/{id}: the operations of this replica, with state, progress and result.
/// A follower that forwards to the leader also forwards polls of operations it does not know, so a caller
/// behind a Service can poll the Location it was given whichever replica answers.
/// </summary>
internal sealed class OperationEndpoints
{
    private readonly OperationStore _operations;
    private readonly OperationLocations _locations;
    private readonly LeaderForwarder _forwarder;
    private readonly HaManager _manager;

    public OperationEndpoints(OperationStore operations, OperationLocations locations, LeaderForwarder forwarder, HaManager manager)
    {
        _operations = operations;
        _locations = locations;
        _forwarder = forwarder;
        _manager = manager;
    }

    public Task<IResult> ListAsync(HttpContext context) => Task.FromResult(
        Results.Json(_operations.List().Select(o => o.ToDocument(_locations.Of(context, o.Id))).ToList(), ApiJson.Response));

    public async Task<IResult> GetAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        if (!RouteIds.IsValid(id))
        {
            return Problems.BadId("id", id);
        }

        if (_operations.Get(id) is { } operation)
        {
            var document = operation.ToDocument(_locations.Of(context, id));
            if (document.State == OperationState.Running)
            {
                context.Response.Headers.RetryAfter = "1";
            }

            return Results.Json(document, ApiJson.Response);
        }

        return _forwarder.ShouldForward(context, out var leader, out var address)
            ? await _forwarder.ForwardAsync(context, leader, address).ConfigureAwait(false)
            : Problems.OperationNotFound(id, _manager);
    }
}
