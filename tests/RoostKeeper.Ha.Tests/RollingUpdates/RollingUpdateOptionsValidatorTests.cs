using k8s.Models;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.Tests.RollingUpdates;

/// <summary>
/// RollingUpdateOptions bind from RoostHa:RollingUpdates, so a message names the option by its configuration key
/// and writes durations the way configuration takes them, as the other sections' validators do.
/// </summary>
public sealed class RollingUpdateOptionsValidatorTests
{
    public static TheoryData<string, Action<RollingUpdateOptions>, string> Broken => new()
    {
        { "no restarts", o => o.MaxRestarts = 0, "RoostHa:RollingUpdates:MaxRestarts (0) must be at least 1." },
        { "no timeout", o => (o.Timeout, o.ReadinessTimeout) = (TimeSpan.Zero, TimeSpan.FromMilliseconds(-1)), "RoostHa:RollingUpdates:Timeout (0ms) must be greater than zero." },
        { "no rollback timeout", o => o.RollbackTimeout = TimeSpan.FromSeconds(-2), "RoostHa:RollingUpdates:RollbackTimeout (-2000ms) must be greater than zero." },
        { "no verification timeout", o => o.VerificationTimeout = TimeSpan.Zero, "RoostHa:RollingUpdates:VerificationTimeout (0ms) must be greater than zero." },
        { "poll too fast", o => o.PollInterval = TimeSpan.FromMilliseconds(9), "RoostHa:RollingUpdates:PollInterval (9ms) must be from 10ms to 60s." },
        { "poll too slow", o => o.PollInterval = TimeSpan.FromSeconds(61), "RoostHa:RollingUpdates:PollInterval (61s) must be from 10ms to 60s." },
        { "readiness as long as the update", o => o.ReadinessTimeout = TimeSpan.FromMinutes(10), "RoostHa:RollingUpdates:ReadinessTimeout (600s) must be less than Timeout (600s)" },
        { "negative budget wait", o => o.DisruptionBudgetWait = TimeSpan.FromSeconds(-1), "RoostHa:RollingUpdates:DisruptionBudgetWait (-1000ms) must not be negative." },
        { "bad surge", o => o.MaxSurge = (IntOrString)"-1", "RoostHa:RollingUpdates:MaxSurge \"-1\" must be a non-negative count or a percentage" },
        { "bad unavailable", o => o.MaxUnavailable = (IntOrString)"half", "RoostHa:RollingUpdates:MaxUnavailable \"half\" must be a non-negative count or a percentage" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void An_invalid_option_is_refused_naming_its_configuration_key(string _, Action<RollingUpdateOptions> breakIt, string expected)
    {
        var options = new RollingUpdateOptions();
        breakIt(options);

        var e = Assert.Throws<OptionsValidationException>(() => RollingUpdateOptionsValidator.ThrowIfInvalid(options));

        Assert.Equal(typeof(RollingUpdateOptions), e.OptionsType);
        Assert.Contains(e.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
        Assert.All(e.Failures, f => Assert.StartsWith(RollingUpdateOptions.SectionName + ":", f, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var options = new RollingUpdateOptions
        {
            MaxRestarts = 0,
            PollInterval = TimeSpan.Zero,
            ReadinessTimeout = TimeSpan.FromMinutes(20),
            MaxSurge = (IntOrString)"many",
        };

        var result = new RollingUpdateOptionsValidator().Validate(null, options);

        Assert.Collection(
            result.Failures!,
            f => Assert.StartsWith("RoostHa:RollingUpdates:MaxRestarts (0)", f, StringComparison.Ordinal),
            f => Assert.StartsWith("RoostHa:RollingUpdates:PollInterval (0ms)", f, StringComparison.Ordinal),
            f => Assert.StartsWith("RoostHa:RollingUpdates:ReadinessTimeout (1200s) must be less than Timeout (600s)", f, StringComparison.Ordinal),
            f => Assert.StartsWith("RoostHa:RollingUpdates:MaxSurge \"many\"", f, StringComparison.Ordinal));
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.Empty(RollingUpdateOptionsValidator.Failures(new RollingUpdateOptions()));
    }
}
