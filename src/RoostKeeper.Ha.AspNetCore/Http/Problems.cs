using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.AspNetCore.Http;

/// <summary>The RFC 7807 answers of the API: each says what went wrong and what to do, and carries the facts as extensions.</summary>
internal static class Problems
{
    public static IResult BadRequest(string field, string detail) => Results.Problem(
        detail: detail,
        statusCode: StatusCodes.Status400BadRequest,
        title: $"Invalid request body: {field}.",
        extensions: new Dictionary<string, object?> { ["field"] = field });

    public static IResult BadId(string field, string value) => Results.Problem(
        detail: $"\"{Truncate(value)}\" is not a valid {field}: ids are 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit.",
        statusCode: StatusCodes.Status400BadRequest,
        title: $"Invalid {field}.",
        extensions: new Dictionary<string, object?> { ["field"] = field });

    public static IResult NotLeader(HaManager manager, Uri? leaderAddress = null)
    {
        var leader = manager.LeaderIdentity;
        return Results.Problem(
            detail: leader is null
                ? $"This replica ({manager.Identity}) does not lead and no replica leads now; retry once one does."
                : $"This replica ({manager.Identity}) does not lead; send the request to the leader, {leader}{(leaderAddress is null ? "" : $" at {leaderAddress}")}.",
            statusCode: StatusCodes.Status409Conflict,
            title: "Only the leader does this.",
            extensions: new Dictionary<string, object?> { ["identity"] = manager.Identity, ["leader"] = leader, ["leaderAddress"] = leaderAddress?.ToString() });
    }

    public static IResult TermNotJoined(HaManager manager) => Results.Problem(
        detail: $"This replica ({manager.Identity}) leads, but its term began before MapRoostHaApi joined the election (or is ending), so leader-only work cannot be tied to it. Map the API before the host starts; retry after the next hand-over.",
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Leader-only work is not available in this term.",
        extensions: new Dictionary<string, object?> { ["identity"] = manager.Identity });

    public static IResult LeaderUnreachable(string leader, Uri address, string reason) => Results.Problem(
        detail: $"This replica forwards leader-only requests, but the leader {leader} at {address} could not be reached: {reason}. Retry; check HaApiOptions.LeaderUrlTemplate if it persists.",
        statusCode: StatusCodes.Status502BadGateway,
        title: "The leader could not be reached.",
        extensions: new Dictionary<string, object?> { ["leader"] = leader, ["leaderAddress"] = address.ToString() });

    /// <summary>Another operation holds what this one needs: which (its id, kind and backup), where it runs, and where to poll it.</summary>
    public static IResult Running(string what, string operationId, string kind, string? backupId, string replica, string location) => Results.Problem(
        detail: $"{what} Operation {operationId} ({kind}{(backupId is null ? "" : $" of backup {backupId}")}) is running on {replica}; poll {location} and retry when it has finished.",
        statusCode: StatusCodes.Status409Conflict,
        title: "Another operation is running.",
        extensions: new Dictionary<string, object?> { ["runningOperation"] = operationId, ["runningBackupId"] = backupId, ["location"] = location });

    public static IResult BackupNotFound(string backupId) => Results.Problem(
        detail: $"No complete backup {backupId} exists in the store. GET backups lists the backups that exist.",
        statusCode: StatusCodes.Status404NotFound,
        title: "No such backup.",
        extensions: new Dictionary<string, object?> { ["backupId"] = backupId });

    public static IResult UpdateNotFound(string updateId) => Results.Problem(
        detail: $"This replica knows no update {updateId}: updates are kept in memory by the replica that ran them (the last 100). GET updates lists those it knows.",
        statusCode: StatusCodes.Status404NotFound,
        title: "No such update.",
        extensions: new Dictionary<string, object?> { ["updateId"] = updateId });

    public static IResult OperationNotFound(string operationId, HaManager manager) => Results.Problem(
        detail: $"This replica ({manager.Identity}) knows no operation {operationId}. Operations are kept in memory by the replica that ran them (the leader for backups and restores; the leader now is {manager.LeaderIdentity ?? "nobody"}) until it restarts or they are evicted.",
        statusCode: StatusCodes.Status404NotFound,
        title: "No such operation.",
        extensions: new Dictionary<string, object?> { ["operationId"] = operationId, ["leader"] = manager.LeaderIdentity });

    public static IResult NotConfigured(string what, string how) => Results.Problem(
        detail: $"{what} are not configured on this replica: {how}.",
        statusCode: StatusCodes.Status501NotImplemented,
        title: $"{what} are not configured.");

    public static IResult MutationsNotMapped() => Results.Problem(
        detail: "This replica does not serve this endpoint: its mutating endpoints are not mapped (HaApiOptions.MutationPolicy is not set; see the start-up log, event 6000).",
        statusCode: StatusCodes.Status404NotFound,
        title: "Not found.");

    public static IResult TooLarge(long limit) => Results.Problem(
        detail: $"The request body is larger than {limit} bytes (HaApiOptions.MaxRequestBodySize).",
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large.");

    public static IResult UnsupportedMediaType(string? contentType) => Results.Problem(
        detail: $"The request body must be JSON (Content-Type: application/json), not \"{contentType}\".",
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type.");

    /// <summary>A failure of the backup store or an unexpected one: its type, a fixed sentence and the trace id; the message is in the log only.</summary>
    public static IResult Failed(string traceId, Exception error) => Results.Problem(
        detail: StoreFailures.IsFromStore(error)
            ? $"The backup store failed ({error.GetType().Name}); the replica's log has the details under trace id {traceId}. Check the store (its disk, bucket, credentials or network)."
            : $"The request failed on the server; its log has the details under trace id {traceId}.",
        statusCode: StatusCodes.Status500InternalServerError,
        title: StoreFailures.IsFromStore(error) ? "The backup store failed." : "The request failed.",
        extensions: new Dictionary<string, object?> { ["traceId"] = traceId, ["exception"] = error.GetType().Name });

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
