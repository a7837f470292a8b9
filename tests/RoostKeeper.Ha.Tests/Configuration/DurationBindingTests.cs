using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Moq;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.Tests.Configuration;

/// <summary>Durations in configuration mean what operators type; a bare number is refused with both readings.</summary>
public sealed class DurationBindingTests
{
    public static TheoryData<string, TimeSpan> Written => new()
    {
        { "15s", TimeSpan.FromSeconds(15) },
        { "500ms", TimeSpan.FromMilliseconds(500) },
        { "2m", TimeSpan.FromMinutes(2) },
        { "1m30s", TimeSpan.FromSeconds(90) },
        { "1.5s", TimeSpan.FromMilliseconds(1500) },
        { " 20s ", TimeSpan.FromSeconds(20) },
        { "00:00:45", TimeSpan.FromSeconds(45) },
        { "00:01:00", TimeSpan.FromMinutes(1) },
    };

    [Theory]
    [MemberData(nameof(Written))]
    public void Durations_bind_from_what_operators_type(string text, TimeSpan expected)
    {
        using var provider = Provider(new() { ["RoostHa:StopLeadingTimeout"] = text });

        Assert.Equal(expected, provider.GetRequiredService<IOptions<LeaderElectionOptions>>().Value.StopLeadingTimeout);
    }

    [Fact]
    public void LeaseDuration_15s_is_15_seconds_on_the_Lease()
    {
        using var provider = Provider(new() { ["RoostHa:LeaseDuration"] = "15s", ["RoostHa:RenewDeadline"] = "10s", ["RoostHa:RetryPeriod"] = "2s" });

        var options = provider.GetRequiredService<IOptions<LeaderElectionOptions>>().Value;

        Assert.Equal((15, 10, 2), ((int)options.LeaseDuration.TotalSeconds, (int)options.RenewDeadline.TotalSeconds, (int)options.RetryPeriod.TotalSeconds));
    }

    [Fact]
    public void A_bare_number_is_refused_showing_both_readings()
    {
        using var provider = Provider(new() { ["RoostHa:LeaseDuration"] = "15" });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LeaderElectionOptions>>().Value);

        Assert.Contains("RoostHa:LeaseDuration is \"15\", a number without a unit", e.Message, StringComparison.Ordinal);
        Assert.Contains("15 days (1296000s)", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"15s\" (15 seconds)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_is_refused_naming_the_key_and_the_accepted_forms()
    {
        using var provider = Provider(new() { ["RoostHa:RetryPeriod"] = "two seconds" });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LeaderElectionOptions>>().Value);

        Assert.Contains("RoostHa:RetryPeriod is \"two seconds\", which is not a duration: write \"15s\", \"500ms\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bare_number_fails_host_start_up()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["RoostHa:LeaseDuration"] = "15" });
        builder.Services.AddSingleton(Mock.Of<IKubernetes>());
        builder.Services.AddRoostHa(o => (o.LeaseName, o.LeaseNamespace) = ("roost", "roost-system"));
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("RoostHa:LeaseDuration is \"15\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_old_reading_of_days_is_out_of_range_even_when_written_in_hh_mm_ss()
    {
        using var provider = Provider(new() { ["RoostHa:LeaseDuration"] = "15.00:00:00", ["RoostHa:RenewDeadline"] = "10s" });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LeaderElectionOptions>>().Value);

        Assert.Contains("RoostHa:LeaseDuration (1296000s) must be at most 600s", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> OutOfRange => new()
    {
        { "RetryPeriod", "50ms", "RoostHa:RetryPeriod (50ms) must be at least 100ms" },
        { "RetryPeriod", "2m", "RoostHa:RetryPeriod (120s) must be at most 60s" },
        { "StopLeadingTimeout", "1h", "RoostHa:StopLeadingTimeout (3600s) must be at most 600s" },
        { "MaxClockSkew", "10m", "RoostHa:MaxClockSkew (600s) must be at most 300s" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Each_duration_has_a_bounded_range(string key, string value, string expected)
    {
        using var provider = Provider(new() { ["RoostHa:" + key] = value });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<LeaderElectionOptions>>().Value);

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Health_and_rolling_update_durations_take_the_same_syntax()
    {
        using var provider = Provider(new()
        {
            ["RoostHa:Health:Interval"] = "10s",
            ["RoostHa:Health:StepDownAfter"] = "2m",
            ["RoostHa:RollingUpdates:ReadinessTimeout"] = "90s",
            ["RoostHa:RollingUpdates:PollInterval"] = "250ms",
        });

        var health = provider.GetRequiredService<IOptions<HealthOptions>>().Value;
        var updates = provider.GetRequiredService<IOptions<RollingUpdateOptions>>().Value;

        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(2)), (health.Interval, health.StepDownAfter));
        Assert.Equal((TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(250)), (updates.ReadinessTimeout, updates.PollInterval));
    }

    [Fact]
    public void A_bare_number_in_the_health_section_is_refused_too()
    {
        using var provider = Provider(new() { ["RoostHa:Health:Interval"] = "30" });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<HealthOptions>>().Value);

        Assert.Contains("RoostHa:Health:Interval is \"30\", a number without a unit", e.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        settings.TryAdd("RoostHa:LeaseName", "roost");
        settings.TryAdd("RoostHa:LeaseNamespace", "roost-system");
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton(Mock.Of<IKubernetes>());
        services.AddRoostHa().AddHealthChecks(_ => { }).AddRollingUpdates();
        return services.BuildServiceProvider();
    }
}
