using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Health;

/// <summary>
/// The log messages of the health area; event ids 2000–2099. Per-round events (a check timing out or
/// throwing) are Debug: the monitor reports a failing check once, when its status changes (2000).
/// </summary>
internal static partial class HealthLog
{
    /// <summary>The logger category of health (docs/metrics.md, Log event ids).</summary>
    public const string Category = "RoostKeeper.Ha.Health";

    [LoggerMessage(2000, LogLevel.Warning, "Health check {Check} went from {Previous} to {Current}: {Description}")]
    public static partial void CheckWorsened(ILogger logger, string check, HealthStatus previous, HealthStatus current, string? description, Exception? exception);

    [LoggerMessage(2001, LogLevel.Information, "Health check {Check} went from {Previous} to {Current}: {Description}")]
    public static partial void CheckImproved(ILogger logger, string check, HealthStatus previous, HealthStatus current, string? description);

    [LoggerMessage(2002, LogLevel.Information, "Health of {Identity} went from {Previous} to {Current}")]
    public static partial void OverallChanged(ILogger logger, string identity, HealthStatus previous, HealthStatus current);

    [LoggerMessage(2003, LogLevel.Debug, "Health check {Check} timed out after {Timeout}")]
    public static partial void CheckTimedOut(ILogger logger, string check, TimeSpan timeout);

    [LoggerMessage(2004, LogLevel.Debug, "Health check {Check} threw")]
    public static partial void CheckThrew(ILogger logger, string check, Exception exception);

    [LoggerMessage(2005, LogLevel.Warning, "{Identity} leads but has been Unhealthy for {Duration}; handing leadership over to {Successor}, which reports {SuccessorStatus}")]
    public static partial void SteppingDown(ILogger logger, string identity, TimeSpan duration, string successor, HealthStatus successorStatus);

    [LoggerMessage(2006, LogLevel.Warning, "{Identity} leads and has been Unhealthy for {Duration}, but no other replica reports itself healthy; keeping leadership")]
    public static partial void NoHealthySuccessor(ILogger logger, string identity, TimeSpan duration);

    [LoggerMessage(2007, LogLevel.Warning, "Could not publish the health of {Identity}: {Reason}")]
    public static partial void PublishFailed(ILogger logger, string identity, string reason);

    [LoggerMessage(2008, LogLevel.Warning, "Could not read the health of the other replicas of {Lease}: {Reason}")]
    public static partial void PeersUnreadable(ILogger logger, string lease, string reason, Exception exception);

    [LoggerMessage(2009, LogLevel.Error, "The periodic health round failed")]
    public static partial void RoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(2010, LogLevel.Warning, "{Identity} leads and has been Unhealthy for {Duration}, but every other healthy replica ({Tried}) handed over within the last {Window}; keeping leadership")]
    public static partial void EveryReplicaTried(ILogger logger, string identity, TimeSpan duration, string tried, TimeSpan window);

    [LoggerMessage(2011, LogLevel.Warning, "{Identity} leads and has been Unhealthy for {Duration}, but the hand-over budget is spent ({Count} in the last {Window}); keeping leadership at least until {Until}")]
    public static partial void HandOverBudgetSpent(ILogger logger, string identity, TimeSpan duration, int count, TimeSpan window, DateTimeOffset until);

    [LoggerMessage(2012, LogLevel.Information, "Deleted the health Lease {Lease} of {Identity}, not renewed since {RenewedAt}")]
    public static partial void StaleHealthLeaseDeleted(ILogger logger, string lease, string identity, DateTimeOffset renewedAt);

    [LoggerMessage(2013, LogLevel.Debug, "Could not delete stale health Leases: {Reason}")]
    public static partial void StaleHealthLeasesNotDeleted(ILogger logger, string reason, Exception exception);

    [LoggerMessage(2014, LogLevel.Information, "Health check {Check} starts {Current}: {Description}")]
    public static partial void CheckStartedDegraded(ILogger logger, string check, HealthStatus current, string? description);

    [LoggerMessage(2015, LogLevel.Debug, "Could not publish the health of {Identity}")]
    public static partial void PublishFailureDetail(ILogger logger, string identity, Exception exception);

    [LoggerMessage(2016, LogLevel.Information, "The health of {Identity} is published again after {Failures} failures")]
    public static partial void PublishRecovered(ILogger logger, string identity, int failures);
}
