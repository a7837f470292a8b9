using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>Checks <see cref="RollingUpdateOptions"/>: each failure names the option and the rule it breaks.</summary>
internal sealed class RollingUpdateOptionsValidator : IValidateOptions<RollingUpdateOptions>
{
    public ValidateOptionsResult Validate(string? name, RollingUpdateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OptionsRules.Result(Failures(options));
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> when <paramref name="options"/> break a rule.</summary>
    public static void ThrowIfInvalid(RollingUpdateOptions options)
    {
        var failures = Failures(options).ToList();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(RollingUpdateOptions), typeof(RollingUpdateOptions), failures);
        }
    }

    private static IEnumerable<string> Failures(RollingUpdateOptions o)
    {
        if (o.MaxRestarts < 1)
        {
            yield return $"RollingUpdateOptions.MaxRestarts ({o.MaxRestarts}) must be at least 1.";
        }

        foreach (var (value, label) in new[] { (o.ReadinessTimeout, "ReadinessTimeout"), (o.Timeout, "Timeout"), (o.RollbackTimeout, "RollbackTimeout"), (o.VerificationTimeout, "VerificationTimeout") })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return $"RollingUpdateOptions.{label} ({value}) must be greater than zero.";
            }
        }

        if (o.PollInterval < TimeSpan.FromMilliseconds(10) || o.PollInterval > TimeSpan.FromMinutes(1))
        {
            yield return $"RollingUpdateOptions.PollInterval ({o.PollInterval}) must be between 10 ms and 1 minute.";
        }

        if (o.ReadinessTimeout >= o.Timeout)
        {
            yield return $"RollingUpdateOptions.ReadinessTimeout ({o.ReadinessTimeout}) must be less than Timeout ({o.Timeout}).";
        }

        if (o.DisruptionBudgetWait < TimeSpan.Zero)
        {
            yield return $"RollingUpdateOptions.DisruptionBudgetWait ({o.DisruptionBudgetWait}) must not be negative.";
        }

        if (o.MaxSurge is { } surge && Fenceposts.Parse(surge) is null)
        {
            yield return $"RollingUpdateOptions.MaxSurge ({surge.Value}) must be a non-negative count or percentage such as \"25%\".";
        }

        if (o.MaxUnavailable is { } unavailable && Fenceposts.Parse(unavailable) is null)
        {
            yield return $"RollingUpdateOptions.MaxUnavailable ({unavailable.Value}) must be a non-negative count or percentage such as \"25%\".";
        }
    }
}
