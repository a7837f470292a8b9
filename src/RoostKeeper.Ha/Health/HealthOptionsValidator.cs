using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;

namespace RoostKeeper.Ha.Health;

/// <summary>Validates <see cref="HealthOptions"/>; every failure names the option, its value and the rule.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options) => OptionsRules.Result(Failures(options));

    public static IEnumerable<string> Failures(HealthOptions o)
    {
        if (o.Interval <= TimeSpan.Zero)
        {
            yield return $"RoostHa:Health:Interval ({OptionsRules.Format(o.Interval)}) must be greater than zero.";
        }

        if (o.CheckTimeout <= TimeSpan.Zero)
        {
            yield return $"RoostHa:Health:CheckTimeout ({OptionsRules.Format(o.CheckTimeout)}) must be greater than zero.";
        }

        if (o.StepDownAfter is { } after && after < o.Interval)
        {
            yield return $"RoostHa:Health:StepDownAfter ({OptionsRules.Format(after)}) must be at least Interval ({OptionsRules.Format(o.Interval)}): a leader hands over only after its health was seen Unhealthy for that long.";
        }

        if (o.MaxHandOvers is < 1 or > 10)
        {
            yield return $"RoostHa:Health:MaxHandOvers ({o.MaxHandOvers}) must be from 1 to 10: the Lease remembers the last 10 hand-overs.";
        }

        if (o.HandOverWindow <= TimeSpan.Zero || o.HandOverWindow > TimeSpan.FromHours(24))
        {
            yield return $"RoostHa:Health:HandOverWindow ({OptionsRules.Format(o.HandOverWindow)}) must be greater than zero and at most 24 hours.";
        }
        else if (o.StepDownAfter is { } stepDownAfter && o.HandOverWindow <= stepDownAfter)
        {
            yield return $"RoostHa:Health:StepDownAfter ({OptionsRules.Format(stepDownAfter)}) must be less than RoostHa:Health:HandOverWindow ({OptionsRules.Format(o.HandOverWindow)}): a hand-over must be remembered longer than a leader takes to be due for the next one.";
        }

        if (o.Namespace is { Length: > 0 } ns && !OptionsRules.IsNamespaceName(ns))
        {
            yield return $"RoostHa:Health:Namespace \"{ns}\" is not a valid namespace name: {OptionsRules.NamespaceNameRule}.";
        }
    }

    public static void ThrowIfInvalid(HealthOptions options) => OptionsRules.ThrowIfAny<HealthOptions>(Failures(options));
}
