using System.Globalization;
using Microsoft.Extensions.Options;

namespace RoostKeeper.Ha.Health;

/// <summary>Validates <see cref="HealthOptions"/>; every failure names the option, its value and the rule.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static IEnumerable<string> Failures(HealthOptions o)
    {
        if (o.Interval <= TimeSpan.Zero)
        {
            yield return $"RoostHa:Health:Interval ({Format(o.Interval)}) must be greater than zero.";
        }

        if (o.CheckTimeout <= TimeSpan.Zero)
        {
            yield return $"RoostHa:Health:CheckTimeout ({Format(o.CheckTimeout)}) must be greater than zero.";
        }

        if (o.StepDownAfter is { } after && after < o.Interval)
        {
            yield return $"RoostHa:Health:StepDownAfter ({Format(after)}) must be at least Interval ({Format(o.Interval)}): a leader hands over only after its health was seen Unhealthy for that long.";
        }

        if (o.MaxHandOvers is < 1 or > 10)
        {
            yield return $"RoostHa:Health:MaxHandOvers ({o.MaxHandOvers}) must be from 1 to 10: the Lease remembers the last 10 hand-overs.";
        }

        if (o.HandOverWindow <= TimeSpan.Zero || o.HandOverWindow > TimeSpan.FromHours(24))
        {
            yield return $"RoostHa:Health:HandOverWindow ({Format(o.HandOverWindow)}) must be greater than zero and at most 24 hours.";
        }
        else if (o.StepDownAfter is { } stepDownAfter && o.HandOverWindow <= stepDownAfter)
        {
            yield return $"RoostHa:Health:StepDownAfter ({Format(stepDownAfter)}) must be less than RoostHa:Health:HandOverWindow ({Format(o.HandOverWindow)}): a hand-over must be remembered longer than a leader takes to be due for the next one.";
        }

        if (o.Namespace is { Length: > 0 } ns && (ns.Length > 63 || !ns.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') || ns[0] == '-' || ns[^1] == '-'))
        {
            yield return $"RoostHa:Health:Namespace \"{ns}\" is not a valid namespace name: use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.";
        }
    }

    public static void ThrowIfInvalid(HealthOptions options)
    {
        var failures = Failures(options).ToList();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(HealthOptions), failures);
        }
    }

    private static string Format(TimeSpan value) =>
        value.TotalSeconds >= 1 && value.Milliseconds == 0
            ? value.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s"
            : value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
}
