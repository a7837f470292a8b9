using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Sharding;

/// <summary>Sharded leadership's log messages, with stable event ids (9100–9199; 9000–9099 are left to the sample controller's own events).</summary>
internal static partial class ShardingLog
{
    /// <summary>The logger category of sharded leadership (docs/metrics.md, Log event ids).</summary>
    public const string Category = "RoostKeeper.Ha.Sharding";

    [LoggerMessage(9100, LogLevel.Information, "{Identity} acquired shards {Shards} of table {Table} (terms {Terms})")]
    public static partial void Acquired(ILogger logger, string identity, string shards, string table, string terms);

    [LoggerMessage(9101, LogLevel.Information, "{Identity} released shards {Shards} of table {Table} ({Reason})")]
    public static partial void Released(ILogger logger, string identity, string shards, string table, string reason);

    [LoggerMessage(9102, LogLevel.Information, "Leader {Identity} assigned the shards of table {Table} over {Members}")]
    public static partial void Assigned(ILogger logger, string identity, string table, string members);

    [LoggerMessage(9103, LogLevel.Warning, "Leader {Identity} cleared shards {Shards} of table {Table}: their holder {Holder} was not seen renewing for {LeaseDuration}")]
    public static partial void ClearedDead(ILogger logger, string identity, string shards, string table, string holder, TimeSpan leaseDuration);

    [LoggerMessage(9104, LogLevel.Warning, "{Identity} stopped the work of shards {Shards} of table {Table}: its last liveness write was sent more than RenewDeadline ({RenewDeadline}) ago")]
    public static partial void DeadlinePassed(ILogger logger, string identity, string shards, string table, TimeSpan renewDeadline);

    [LoggerMessage(9105, LogLevel.Error, "{Identity} runs no shard work: {Problem}")]
    public static partial void TableRefused(ILogger logger, string identity, string problem);

    [LoggerMessage(9106, LogLevel.Warning, "{Operation} of shard Lease {Lease} by {Identity} failed: {Problem}")]
    public static partial void ApiFailed(ILogger logger, string operation, string lease, string identity, string problem, Exception? exception);

    [LoggerMessage(9107, LogLevel.Warning, "The work of shard {Shard} on {Identity} did not finish within DrainTimeout ({DrainTimeout}); the shard is released anyway")]
    public static partial void DrainTimedOut(ILogger logger, int shard, string identity, TimeSpan drainTimeout);

    [LoggerMessage(9108, LogLevel.Error, "The work of shard {Shard} on {Identity} failed; the shard is released so another replica takes it")]
    public static partial void WorkFailed(ILogger logger, int shard, string identity, Exception exception);

    [LoggerMessage(9109, LogLevel.Information, "{Identity} is draining ({Reason}): it gives up its shards")]
    public static partial void Draining(ILogger logger, string identity, string reason);

    [LoggerMessage(9110, LogLevel.Information, "{Identity} left table {Table}")]
    public static partial void Left(ILogger logger, string identity, string table);

    [LoggerMessage(9111, LogLevel.Error, "A shard callback of {Identity} ({Callback}) threw")]
    public static partial void CallbackFailed(ILogger logger, string identity, string callback, Exception exception);

    [LoggerMessage(9112, LogLevel.Information, "Shard table {Table} is back in order; {Identity} takes shards again")]
    public static partial void TableRecovered(ILogger logger, string table, string identity);

    [LoggerMessage(9113, LogLevel.Debug, "The watch of the shard Leases {Table} by {Identity} ended: {Problem}")]
    public static partial void WatchFailed(ILogger logger, string table, string identity, string problem);

    [LoggerMessage(9114, LogLevel.Information, "Leader {Identity} deleted membership Lease {Lease} of {Holder}: unchanged for more than {StaleAfter}")]
    public static partial void StaleMemberDeleted(ILogger logger, string identity, string lease, string holder, TimeSpan staleAfter);
}
