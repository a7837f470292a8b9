using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>Validates <see cref="RollingUpdateOptions"/>; every failure names the option, its value and the rule.</summary>
internal sealed class RollingUpdateOptionsValidator : IValidateOptions<RollingUpdateOptions>
{
    /// <summary>PollInterval's range: below it the API server is polled for nothing, above it a failure is seen late.</summary>
    public static readonly TimeSpan MinPollInterval = TimeSpan.FromMilliseconds(10);

    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromMinutes(1);

    private const string Section = RollingUpdateOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, RollingUpdateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OptionsRules.Result(Failures(options));
    }

    /// <summary>Throws what start-up validation would report, for options passed to a call.</summary>
    /// <exception cref="OptionsValidationException"><paramref name="options"/> break a rule.</exception>
    public static void ThrowIfInvalid(RollingUpdateOptions options) => OptionsRules.ThrowIfAny<RollingUpdateOptions>(Failures(options));

    public static IEnumerable<string> Failures(RollingUpdateOptions o)
    {
        if (o.MaxRestarts < 1)
        {
            yield return $"{Section}:MaxRestarts ({o.MaxRestarts}) must be at least 1.";
        }

        foreach (var (name, value) in new[]
        {
            (nameof(o.ReadinessTimeout), o.ReadinessTimeout),
            (nameof(o.Timeout), o.Timeout),
            (nameof(o.RollbackTimeout), o.RollbackTimeout),
            (nameof(o.VerificationTimeout), o.VerificationTimeout),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return $"{Section}:{name} ({OptionsRules.Format(value)}) must be greater than zero.";
            }
        }

        if (o.PollInterval < MinPollInterval || o.PollInterval > MaxPollInterval)
        {
            yield return $"{Section}:PollInterval ({OptionsRules.Format(o.PollInterval)}) must be from {OptionsRules.Format(MinPollInterval)} to {OptionsRules.Format(MaxPollInterval)}.";
        }

        // The other option is named without the section, so the message is about ReadinessTimeout only.
        if (o.ReadinessTimeout >= o.Timeout)
        {
            yield return $"{Section}:ReadinessTimeout ({OptionsRules.Format(o.ReadinessTimeout)}) must be less than Timeout ({OptionsRules.Format(o.Timeout)}): a pod that never becomes ready must fail the update before the whole update times out.";
        }

        if (o.DisruptionBudgetWait < TimeSpan.Zero)
        {
            yield return $"{Section}:DisruptionBudgetWait ({OptionsRules.Format(o.DisruptionBudgetWait)}) must not be negative.";
        }

        if (o.MaxSurge is { } surge && Fenceposts.Parse(surge) is null)
        {
            yield return $"{Section}:MaxSurge \"{surge.Value}\" must be a non-negative count or a percentage such as \"25%\".";
        }

        if (o.MaxUnavailable is { } unavailable && Fenceposts.Parse(unavailable) is null)
        {
            yield return $"{Section}:MaxUnavailable \"{unavailable.Value}\" must be a non-negative count or a percentage such as \"25%\".";
        }
    }
}
