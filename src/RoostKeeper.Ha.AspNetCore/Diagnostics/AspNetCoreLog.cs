using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.AspNetCore.Diagnostics;

/// <summary>Logs of the ASP.NET Core endpoints (category <c>RoostKeeper.Ha.AspNetCore</c>, event ids 6000–6099; the operations' own, 6007–6011 and 6017, are in <c>Operations.OperationLog</c>).</summary>
internal static partial class AspNetCoreLog
{
    public const string Category = "RoostKeeper.Ha.AspNetCore";

    [LoggerMessage(6000, LogLevel.Information, "The mutating RoostKeeper.Ha endpoints ({Endpoints}) were NOT mapped: HaApiOptions.MutationPolicy names no authorization policy. Set it to a policy that only operators satisfy (see docs/aspnetcore.md); only the read-only endpoints are served.")]
    public static partial void MutationsNotMapped(ILogger logger, string endpoints);

    [LoggerMessage(6001, LogLevel.Critical, "UNSAFE: the mutating RoostKeeper.Ha endpoints ({Endpoints}) are mapped WITHOUT authorization because HaApiOptions.AllowUnauthenticatedMutations is true. Anyone who can reach this port can hand over leadership. Use this for local demos only.")]
    public static partial void MutationsUnprotected(ILogger logger, string endpoints);

    [LoggerMessage(6002, LogLevel.Information, "The mutating RoostKeeper.Ha endpoints ({Endpoints}) require the authorization policy {Policy}.")]
    public static partial void MutationsProtected(ILogger logger, string endpoints, string policy);

    [LoggerMessage(6003, LogLevel.Warning, "Unauthenticated mutation {Method} {Path} from {Remote} (AllowUnauthenticatedMutations is on).")]
    public static partial void UnprotectedMutationCalled(ILogger logger, string method, string path, string? remote);

    [LoggerMessage(6004, LogLevel.Information, "Failover requested through the API by {User}: {Identity} hands over to {Successor}.")]
    public static partial void FailoverRequested(ILogger logger, string user, string identity, string successor);

    [LoggerMessage(6005, LogLevel.Error, "{Method} {Path} failed (trace id {TraceId}).")]
    public static partial void EndpointFailed(ILogger logger, Exception exception, string method, string path, string traceId);

    [LoggerMessage(6006, LogLevel.Warning, "The status page could not read {What} (trace id {TraceId}): {Reason}")]
    public static partial void StatusReadFailed(ILogger logger, string what, string traceId, string reason);

    [LoggerMessage(6012, LogLevel.Information, "Forwarded {Method} {Path} to the leader {Leader} at {Address}: {Status}.")]
    public static partial void Forwarded(ILogger logger, string method, string path, string leader, Uri address, int status);

    [LoggerMessage(6013, LogLevel.Warning, "Could not forward {Method} {Path} to the leader {Leader} at {Address}: {Reason}")]
    public static partial void ForwardFailed(ILogger logger, string method, string path, string leader, Uri address, string reason);

    [LoggerMessage(6014, LogLevel.Information, "Backup {BackupId} deleted through the API by {User}.")]
    public static partial void BackupDeleted(ILogger logger, string backupId, string user);

    [LoggerMessage(6015, LogLevel.Warning, "The leader named by the Lease, {Holder}, gets no address from HaApiOptions.LeaderUrlTemplate: {Reason}. Requests are not forwarded to it and 409 answers name no leaderAddress. Whoever can write the Lease controls its holder: check who wrote it.")]
    public static partial void LeaderAddressRefused(ILogger logger, string holder, string reason);

    [LoggerMessage(6016, LogLevel.Warning, "A convention on the RoostKeeper.Ha API marked the mutating endpoints ({Endpoints}) anonymous (AllowAnonymous on the builder MapRoostHaApi returns); that was ignored and they still require the authorization policy {Policy}. Only HaApiOptions.AllowUnauthenticatedMutations (for demos) opens them.")]
    public static partial void MutationAnonymityIgnored(ILogger logger, string endpoints, string policy);
}
