using RoostKeeper.Ha.Configuration;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Tests.Configuration;

/// <summary>
/// The name rules every validator shares: a name with a trailing newline (an environment variable or a file
/// read with its line end) is not a Kubernetes name, though a regex ending in <c>$</c> would let it through.
/// </summary>
public sealed class NameRulesTests
{
    public static TheoryData<string, Func<string, IEnumerable<string>>> NameOptions => new()
    {
        {
            "RoostHa:LeaseName",
            name => LeaderElectionOptionsValidator.Failures(new LeaderElectionOptions { LeaseName = name, LeaseNamespace = "roost-system", Identity = "replica-a" })
        },
        {
            "RoostHa:LeaseNamespace",
            name => LeaderElectionOptionsValidator.Failures(new LeaderElectionOptions { LeaseName = "roost-keeper", LeaseNamespace = name, Identity = "replica-a" })
        },
        { "RoostHa:Health:Namespace", name => HealthOptionsValidator.Failures(new HealthOptions { Namespace = name }) },
        { "RoostHa:Sharding:TableName", name => ShardingOptionsValidator.Failures(new ShardingOptions { TableName = name }) },
    };

    [Theory]
    [MemberData(nameof(NameOptions))]
    public void A_name_with_a_trailing_newline_is_refused_naming_the_option(string option, Func<string, IEnumerable<string>> failures)
    {
        Assert.Empty(failures("roost-keeper"));

        var failure = Assert.Single(failures("roost-keeper\n"));

        Assert.StartsWith(option + " \"roost-keeper\n\"", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("roost-keeper\n")]
    [InlineData("roost-keeper\r\n")]
    [InlineData("\nroost-keeper")]
    [InlineData("roost-keeper ")]
    public void Names_with_line_ends_or_spaces_are_neither_namespace_nor_object_names(string name)
    {
        Assert.False(OptionsRules.IsNamespaceName(name));
        Assert.False(OptionsRules.IsObjectName(name));
    }

    [Theory]
    [InlineData("roost-keeper", true, true)]
    [InlineData("roost.keeper", false, true)]
    [InlineData("a", true, true)]
    [InlineData("-roost", false, false)]
    public void Valid_names_still_pass(string name, bool isNamespaceName, bool isObjectName)
    {
        Assert.Equal(isNamespaceName, OptionsRules.IsNamespaceName(name));
        Assert.Equal(isObjectName, OptionsRules.IsObjectName(name));
    }
}
