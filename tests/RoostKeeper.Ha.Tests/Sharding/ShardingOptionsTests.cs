using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Tests.Sharding;

public sealed class ShardingOptionsTests
{
    private static IServiceProvider Build(Dictionary<string, string?>? configuration = null, Action<ShardingOptions>? configure = null, string leaseName = "roost-keeper-controller")
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration ?? []).Build());
        services.AddRoostHa(o => (o.LeaseName, o.LeaseNamespace, o.Identity) = (leaseName, "roost", "replica-a")).AddShardedLeadership(configure);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Defaults_are_valid_and_the_table_is_named_after_the_election_lease()
    {
        var options = Build().GetRequiredService<IOptions<ShardingOptions>>().Value;

        Assert.Equal(16, options.Shards);
        Assert.Equal("roost-keeper-controller-shards", options.TableName);
        Assert.Equal(TimeSpan.FromSeconds(10), options.DrainTimeout);
    }

    [Fact]
    public void The_section_binds_with_durations_as_operators_write_them_and_code_applies_after()
    {
        var options = Build(
            new() { ["RoostHa:Sharding:Shards"] = "32", ["RoostHa:Sharding:DrainTimeout"] = "45s", ["RoostHa:Sharding:TableName"] = "work-table" },
            o => o.Shards *= 2).GetRequiredService<IOptions<ShardingOptions>>().Value;

        Assert.Equal(64, options.Shards);
        Assert.Equal(TimeSpan.FromSeconds(45), options.DrainTimeout);
        Assert.Equal("work-table", options.TableName);
    }

    public static TheoryData<Dictionary<string, string?>, string> Broken => new()
    {
        { new() { ["RoostHa:Sharding:Shards"] = "0" }, "RoostHa:Sharding:Shards (0) must be from 1 to 1024." },
        { new() { ["RoostHa:Sharding:Shards"] = "1025" }, "RoostHa:Sharding:Shards (1025) must be from 1 to 1024." },
        { new() { ["RoostHa:Sharding:DrainTimeout"] = "0s" }, "RoostHa:Sharding:DrainTimeout (0ms) must be greater than zero." },
        { new() { ["RoostHa:Sharding:DrainTimeout"] = "6m" }, "RoostHa:Sharding:DrainTimeout (360s) must be at most 300s" },
        { new() { ["RoostHa:Sharding:DrainTimeout"] = "10" }, "RoostHa:Sharding:DrainTimeout is \"10\", a number without a unit" },
        { new() { ["RoostHa:Sharding:TableName"] = "Work_Table" }, "RoostHa:Sharding:TableName \"Work_Table\" is not a valid table name" },
        { new() { ["RoostHa:Sharding:TableName"] = new string('a', 64) }, "is not a valid table name: it names a Lease and is the value of the roostkeeper.io/shard-table label" },
        { new() { ["RoostHa:Sharding:TableName"] = "roost-keeper-controller" }, "is the election Lease's name (RoostHa:LeaseName)" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Each_rule_fails_start_up_naming_the_option(Dictionary<string, string?> configuration, string expected)
    {
        var e = Assert.Throws<OptionsValidationException>(() => Build(configuration).GetRequiredService<IOptions<ShardingOptions>>().Value);

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_default_table_name_too_long_for_a_label_says_to_set_one()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Build(leaseName: new string('l', 60)).GetRequiredService<IOptions<ShardingOptions>>().Value);

        Assert.Contains("(the default, RoostHa:LeaseName", e.Message, StringComparison.Ordinal);
        Assert.Contains("set RoostHa:Sharding:TableName to a shorter name", e.Message, StringComparison.Ordinal);
    }
}
