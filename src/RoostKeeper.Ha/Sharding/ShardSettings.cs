using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Sharding;

/// <summary>Validated, resolved sharding settings one coordinator runs with (the timings are the election's).</summary>
internal sealed record ShardSettings(
    string Identity,
    string Namespace,
    string TableName,
    int Shards,
    TimeSpan LeaseDuration,
    TimeSpan RenewDeadline,
    TimeSpan RetryPeriod,
    TimeSpan DrainTimeout,
    Func<string, int, int>? Partitioner)
{
    public static ShardSettings From(ShardingOptions o, ElectionSettings election) => new(
        election.Identity, election.LeaseNamespace, o.TableName ?? election.LeaseName + ShardingOptionsDefaults.TableSuffix, o.Shards,
        election.LeaseDuration, election.RenewDeadline, election.RetryPeriod, o.DrainTimeout, o.Partitioner);

    /// <summary>The label selector of the table's Leases.</summary>
    public string Selector => $"{ShardTable.Label}={TableName}";

    /// <summary>This replica's membership Lease.</summary>
    public string MemberLeaseName => ShardKeys.MemberLeaseName(TableName, Identity);

    public int LeaseDurationSeconds => (int)Math.Ceiling(LeaseDuration.TotalSeconds);
}
