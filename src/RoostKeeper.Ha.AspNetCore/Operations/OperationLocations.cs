using Microsoft.AspNetCore.Http;

namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>Where an operation is polled, as the caller addressed this API (path base and route prefix included).</summary>
internal sealed class OperationLocations
{
    private readonly string _prefix;

    /// <param name="prefix">The API's route prefix, normalized.</param>
    public OperationLocations(string prefix) => _prefix = prefix;

    public string Of(HttpContext context, string operationId) =>
        $"{context.Request.PathBase}{_prefix}/operations/{Uri.EscapeDataString(operationId)}";
}
