using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;

namespace RoostKeeper.Ha.Sharding;

/// <summary>Validates <see cref="ShardingOptions"/>; every failure names the option, its value and the rule.</summary>
internal sealed class ShardingOptionsValidator : IValidateOptions<ShardingOptions>
{
    /// <summary>DrainTimeout's upper bound: a shard that moves is without a holder at most this long after its work was told to stop.</summary>
    public static readonly TimeSpan MaxDrainTimeout = TimeSpan.FromMinutes(5);

    /// <summary>A label value's limit; the table's name is the value of the label on every Lease of the table.</summary>
    public const int MaxTableNameLength = 63;

    public ValidateOptionsResult Validate(string? name, ShardingOptions options) => OptionsRules.Result(Failures(options));

    public static IEnumerable<string> Failures(ShardingOptions o)
    {
        if (o.Shards is < 1 or > ShardTable.MaxShards)
        {
            yield return $"RoostHa:Sharding:Shards ({o.Shards}) must be from 1 to {ShardTable.MaxShards}.";
        }

        if (o.TableName is { } table)
        {
            if (table.Length > MaxTableNameLength || !OptionsRules.IsNamespaceName(table))
            {
                var origin = o.ElectionLeaseName is { } lease && table == lease + ShardingOptionsDefaults.TableSuffix
                    ? $" (the default, RoostHa:LeaseName \"{lease}\" + \"{ShardingOptionsDefaults.TableSuffix}\"; set RoostHa:Sharding:TableName to a shorter name)"
                    : "";
                yield return $"RoostHa:Sharding:TableName \"{table}\"{origin} is not a valid table name: it names a Lease and is the value of the {ShardTable.Label} label, so {OptionsRules.NamespaceNameRule}.";
            }
            else if (table == o.ElectionLeaseName)
            {
                yield return $"RoostHa:Sharding:TableName \"{table}\" is the election Lease's name (RoostHa:LeaseName): the shard table needs a Lease of its own; leave TableName unset for \"{table}{ShardingOptionsDefaults.TableSuffix}\".";
            }
        }

        if (o.DrainTimeout <= TimeSpan.Zero)
        {
            yield return $"RoostHa:Sharding:DrainTimeout ({OptionsRules.Format(o.DrainTimeout)}) must be greater than zero.";
        }
        else if (o.DrainTimeout > MaxDrainTimeout)
        {
            yield return $"RoostHa:Sharding:DrainTimeout ({OptionsRules.Format(o.DrainTimeout)}) must be at most {OptionsRules.Format(MaxDrainTimeout)}: a shard that moves has no holder while its work drains.";
        }
    }
}
