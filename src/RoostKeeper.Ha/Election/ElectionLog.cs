using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Election;

/// <summary>Leader election's log messages, with stable event ids (1000–1099).</summary>
internal static partial class ElectionLog
{
    /// <summary>The logger category of leader election (docs/metrics.md, Log event ids).</summary>
    public const string Category = "RoostKeeper.Ha.Election";

    [LoggerMessage(1000, LogLevel.Information, "{Identity} started leading Lease {Lease} (term {Term})")]
    public static partial void StartedLeading(ILogger logger, string identity, string lease, long term);

    [LoggerMessage(1001, LogLevel.Warning, "{Identity} stopped leading Lease {Lease}: {Reason}")]
    public static partial void SteppedDown(ILogger logger, string identity, string lease, string reason);

    [LoggerMessage(1013, LogLevel.Information, "{Identity} stopped leading Lease {Lease}: {Reason}")]
    public static partial void StoppedLeading(ILogger logger, string identity, string lease, string reason);

    [LoggerMessage(1002, LogLevel.Information, "{Identity} released Lease {Lease}")]
    public static partial void Released(ILogger logger, string identity, string lease);

    [LoggerMessage(1003, LogLevel.Information, "{Identity} handed Lease {Lease} over to {Successor}")]
    public static partial void HandedOver(ILogger logger, string identity, string lease, string successor);

    [LoggerMessage(1004, LogLevel.Information, "New leader of Lease {Lease}: {Leader} (seen by {Identity})")]
    public static partial void NewLeader(ILogger logger, string lease, string leader, string identity);

    [LoggerMessage(1005, LogLevel.Warning, "{Operation} of Lease {Lease} by {Identity} failed: {Problem}")]
    public static partial void ApiFailed(ILogger logger, string operation, string lease, string identity, string problem, Exception? exception);

    [LoggerMessage(1006, LogLevel.Debug, "{Operation} of Lease {Lease} by {Identity} lost a write race; re-reading")]
    public static partial void Conflict(ILogger logger, string operation, string lease, string identity);

    [LoggerMessage(1007, LogLevel.Warning, "Watch of Lease {Lease} by {Identity} failed, polling every {RetryPeriod} until it is back: {Problem}")]
    public static partial void WatchFailed(ILogger logger, string lease, string identity, TimeSpan retryPeriod, string problem, Exception? exception);

    [LoggerMessage(1008, LogLevel.Debug, "Watch of Lease {Lease} by {Identity} expired (410 Gone); re-reading")]
    public static partial void WatchExpired(ILogger logger, string lease, string identity);

    [LoggerMessage(1009, LogLevel.Error, "Leader work of {Identity} on Lease {Lease} failed; stepping down so another replica can lead")]
    public static partial void LeaderWorkFailed(ILogger logger, string identity, string lease, Exception exception);

    [LoggerMessage(1010, LogLevel.Error, "Leader work of {Identity} on Lease {Lease} has not stopped {Waited} after its token was cancelled; the Lease is not released and this replica will not lead again until it stops")]
    public static partial void LeaderWorkNotStopping(ILogger logger, string identity, string lease, TimeSpan waited);

    [LoggerMessage(1011, LogLevel.Error, "{Callback} callback of {Identity} on Lease {Lease} threw")]
    public static partial void CallbackFailed(ILogger logger, string callback, string identity, string lease, Exception exception);

    [LoggerMessage(1012, LogLevel.Debug, "{Identity} renewed Lease {Lease}")]
    public static partial void Renewed(ILogger logger, string identity, string lease);

    [LoggerMessage(1014, LogLevel.Information, "Kubernetes API server {Server} from {Source} (context {Context}, namespace {Namespace})")]
    public static partial void ClusterFound(ILogger logger, string server, string source, string context, string @namespace);

    [LoggerMessage(1015, LogLevel.Debug, "{Operation} of Lease {Lease} by {Identity} failed unexpectedly")]
    public static partial void FailureDetail(ILogger logger, string operation, string lease, string identity, Exception exception);

    [LoggerMessage(1016, LogLevel.Error, "{Identity} cannot {Verb} Lease {Lease}, and retrying will not change that: {Problem}. {Fix}")]
    public static partial void Refused(ILogger logger, string identity, string verb, string lease, string problem, string fix);

    [LoggerMessage(1017, LogLevel.Warning, "Lease {Lease} calls by {Identity} still fail: {Problem} ({Repeats} more times in about {Interval})")]
    public static partial void StillFailing(ILogger logger, string lease, string identity, string problem, int repeats, TimeSpan interval);

    [LoggerMessage(1018, LogLevel.Information, "Lease {Lease} calls by {Identity} succeed again after {Failures} failures")]
    public static partial void Recovered(ILogger logger, string lease, string identity, int failures);
}
