using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Sharding;

/// <summary>Fills the table's name from the election Lease's (<c>{LeaseName}-shards</c>) and remembers the latter for validation.</summary>
internal sealed class ShardingOptionsDefaults(IOptions<LeaderElectionOptions> election) : IPostConfigureOptions<ShardingOptions>
{
    public const string TableSuffix = "-shards";

    public void PostConfigure(string? name, ShardingOptions options)
    {
        try
        {
            options.ElectionLeaseName = election.Value.LeaseName;
        }
        catch (OptionsValidationException)
        {
            // The election's options are invalid: start-up fails on their own message, which names what to change.
            return;
        }

        options.TableName ??= options.ElectionLeaseName + TableSuffix;
    }
}
