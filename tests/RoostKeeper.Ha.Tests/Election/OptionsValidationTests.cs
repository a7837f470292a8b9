using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Moq;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Tests.Election;

public sealed class OptionsValidationTests
{
    private static LeaderElectionOptions Valid() => new() { LeaseName = "roost-keeper-controller", LeaseNamespace = "roost-keeper-system", Identity = "replica-a" };

    public static TheoryData<Action<LeaderElectionOptions>, string> Broken => new()
    {
        { o => o.LeaseName = null, "RoostHa:LeaseName is required" },
        { o => o.LeaseName = "Roost_Keeper", "RoostHa:LeaseName \"Roost_Keeper\" is not a valid Kubernetes name" },
        { o => o.LeaseNamespace = "roost.keeper", "RoostHa:LeaseNamespace \"roost.keeper\" is not a valid namespace name" },
        { o => o.LeaseDuration = TimeSpan.FromSeconds(5), "RoostHa:LeaseDuration (5s) must be greater than RenewDeadline (10s)" },
        { o => o.RenewDeadline = TimeSpan.FromSeconds(2), "RoostHa:RenewDeadline (2s) must be greater than 1.2 × RetryPeriod (2s)" },
        { o => o.RetryPeriod = TimeSpan.Zero, "RoostHa:RetryPeriod (0ms) must be greater than zero" },
        { o => o.StopLeadingTimeout = TimeSpan.FromSeconds(-1), "RoostHa:StopLeadingTimeout (-1000ms) must be greater than zero" },
        { o => o.MaxClockSkew = TimeSpan.FromSeconds(-1), "RoostHa:MaxClockSkew (-1000ms) must not be negative" },
        { o => (o.LeaseDuration, o.RenewDeadline) = (TimeSpan.FromDays(100), TimeSpan.FromDays(99)), "RoostHa:LeaseDuration (8640000s) must be at most" },
        { o => o.StopLeadingTimeout = TimeSpan.MaxValue, "RoostHa:StopLeadingTimeout" },
        { o => o.MaxClockSkew = TimeSpan.FromDays(365), "RoostHa:MaxClockSkew (31536000s) must be at most" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Invalid_option_is_refused_naming_the_option_and_the_rule(Action<LeaderElectionOptions> breakIt, string expected)
    {
        var options = Valid();
        breakIt(options);

        var e = Assert.Throws<OptionsValidationException>(() => new HaManager(Mock.Of<IKubernetes>(), options));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_timings_are_valid_and_the_callers_options_are_not_modified()
    {
        var options = new LeaderElectionOptions { LeaseName = "roost-keeper-controller", LeaseNamespace = "roost-keeper-system" };
        using var manager = new HaManager(Mock.Of<IKubernetes>(), options);

        Assert.Null(options.Identity);
        Assert.Matches("^.+_[0-9a-f]{8}$", manager.Identity);
    }

    [Fact]
    public void Defaults_come_from_the_pod_environment_and_identities_are_unique()
    {
        var env = new Dictionary<string, string?> { ["POD_NAME"] = "roost-keeper-7d9f-abcde", ["POD_NAMESPACE"] = "from-env" };
        var pod = new PodEnvironment(name => env.GetValueOrDefault(name), () => "from-service-account", () => "host");
        var first = new LeaderElectionOptions();
        var second = new LeaderElectionOptions();

        pod.ApplyDefaults(first);
        pod.ApplyDefaults(second);

        Assert.Equal("from-service-account", first.LeaseNamespace);
        Assert.StartsWith("roost-keeper-7d9f-abcde_", first.Identity, StringComparison.Ordinal);
        Assert.NotEqual(first.Identity, second.Identity);

        var outside = new PodEnvironment(name => env.GetValueOrDefault(name), () => null, () => "host");
        var third = new LeaderElectionOptions();
        outside.ApplyDefaults(third);
        Assert.Equal("from-env", third.LeaseNamespace);
    }

    [Fact]
    public async Task Host_with_an_invalid_option_fails_at_start_up()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(Mock.Of<IKubernetes>());
        builder.Services.AddRoostHa(o =>
        {
            o.LeaseName = "roost";
            o.LeaseNamespace = "roost-system";
            o.RenewDeadline = TimeSpan.FromSeconds(20);
        });
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("RoostHa:LeaseDuration (15s) must be greater than RenewDeadline (20s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_bind_from_the_RoostHa_section_and_code_applies_after()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RoostHa:LeaseName"] = "from-config",
            ["RoostHa:LeaseNamespace"] = "config-ns",
            ["RoostHa:LeaseDuration"] = "00:00:30",
            ["RoostHa:RetryPeriod"] = "00:00:03",
        }).Build());
        services.AddRoostHa(o => o.LeaseName = "from-code");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<LeaderElectionOptions>>().Value;

        Assert.Equal(("from-code", "config-ns", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(3)), (options.LeaseName, options.LeaseNamespace, options.LeaseDuration, options.RetryPeriod));
    }
}
