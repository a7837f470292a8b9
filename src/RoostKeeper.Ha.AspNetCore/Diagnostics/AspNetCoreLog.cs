using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.AspNetCore.Diagnostics;

/// <summary>Logs of the ASP.NET Core endpoints (category <c>RoostKeeper.Ha.AspNetCore</c>, event ids 6000–6099).</summary>
internal static partial class AspNetCoreLog
{
    public const string Category = "RoostKeeper.Ha.AspNetCore";

    [LoggerMessage(6000, LogLevel.Warning, "The mutating RoostKeeper.Ha endpoints ({Endpoints}) were NOT mapped: RoostHaApiOptions.MutationPolicy names no authorization policy. Set it to a policy that only operators satisfy (see docs/aspnetcore.md); only the read-only endpoints are served.")]
    public static partial void MutationsNotMapped(ILogger logger, string endpoints);

    [LoggerMessage(6001, LogLevel.Critical, "UNSAFE: the mutating RoostKeeper.Ha endpoints ({Endpoints}) are mapped WITHOUT authorization because RoostHaApiOptions.AllowUnauthenticatedMutations is true. Anyone who can reach this port can hand over leadership. Use this for local demos only.")]
    public static partial void MutationsUnprotected(ILogger logger, string endpoints);

    [LoggerMessage(6002, LogLevel.Information, "The mutating RoostKeeper.Ha endpoints ({Endpoints}) require the authorization policy {Policy}.")]
    public static partial void MutationsProtected(ILogger logger, string endpoints, string policy);

    [LoggerMessage(6003, LogLevel.Warning, "Unauthenticated mutation {Method} {Path} from {Remote} (AllowUnauthenticatedMutations is on).")]
    public static partial void UnprotectedMutationCalled(ILogger logger, string method, string path, string? remote);

    [LoggerMessage(6004, LogLevel.Information, "Failover requested through the API by {User}: {Identity} hands over to {Successor}.")]
    public static partial void FailoverRequested(ILogger logger, string user, string identity, string successor);

    [LoggerMessage(6005, LogLevel.Error, "{Method} {Path} failed (trace id {TraceId}).")]
    public static partial void EndpointFailed(ILogger logger, Exception exception, string method, string path, string traceId);

    [LoggerMessage(6006, LogLevel.Warning, "The status page could not read {What}: {Reason}")]
    public static partial void StatusReadFailed(ILogger logger, string what, string reason);
}
