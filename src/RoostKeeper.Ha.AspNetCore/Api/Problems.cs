using Microsoft.AspNetCore.Http;

namespace RoostKeeper.Ha.AspNetCore.Api;

/// <summary>The RFC 7807 answers of the API: each says what went wrong and what to do, and carries the facts as extensions.</summary>
internal static class Problems
{
    public static IResult BadRequest(string field, string detail) => Results.Problem(
        detail: detail,
        statusCode: StatusCodes.Status400BadRequest,
        title: $"Invalid request body: {field}.",
        extensions: new Dictionary<string, object?> { ["field"] = field });

    public static IResult NotLeader(HaManager manager)
    {
        var leader = manager.LeaderIdentity;
        return Results.Problem(
            detail: leader is null
                ? $"This replica ({manager.Identity}) does not lead and no replica leads now; retry once one does."
                : $"This replica ({manager.Identity}) does not lead; send the request to the leader, {leader}.",
            statusCode: StatusCodes.Status409Conflict,
            title: "Only the leader does this.",
            extensions: new Dictionary<string, object?> { ["identity"] = manager.Identity, ["leader"] = leader });
    }

    public static IResult TooLarge(long limit) => Results.Problem(
        detail: $"The request body is larger than {limit} bytes (RoostHaApiOptions.MaxRequestBodySize).",
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large.");

    public static IResult UnsupportedMediaType(string? contentType) => Results.Problem(
        detail: $"The request body must be JSON (Content-Type: application/json), not \"{contentType}\".",
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type.");

    public static IResult Failed(string traceId) => Results.Problem(
        detail: $"The request failed on the server; its log has the details under trace id {traceId}.",
        statusCode: StatusCodes.Status500InternalServerError,
        title: "The request failed.",
        extensions: new Dictionary<string, object?> { ["traceId"] = traceId });
}
