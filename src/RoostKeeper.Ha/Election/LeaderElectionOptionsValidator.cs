using System.Globalization;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// client-go's rules (LeaseDuration &gt; RenewDeadline &gt; 1.2 × RetryPeriod &gt; 0) plus Kubernetes
/// naming rules; every failure names the option, its value and the rule it breaks.
/// </summary>
internal sealed class LeaderElectionOptionsValidator : IValidateOptions<LeaderElectionOptions>
{
    /// <summary>client-go's JitterFactor: the leader may renew up to 1.2 × RetryPeriod after the last try.</summary>
    private const double JitterFactor = 1.2;

    /// <summary>The ranges documented on <see cref="LeaderElectionOptions"/> and in docs/configuration.md.</summary>
    public static readonly TimeSpan MinRetryPeriod = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan MaxRetryPeriod = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan MaxStopLeadingTimeout = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private static readonly LeaderElectionOptionsAnnotations Annotations = new();

    public ValidateOptionsResult Validate(string? name, LeaderElectionOptions options) => OptionsRules.Result(Failures(options));

    public static IEnumerable<string> Failures(LeaderElectionOptions o)
    {
        foreach (var failure in OptionsRules.Failures(Annotations.Validate(null, o)))
        {
            yield return failure;
        }

        if (!string.IsNullOrWhiteSpace(o.LeaseName) && !OptionsRules.IsObjectName(o.LeaseName))
        {
            yield return $"RoostHa:LeaseName \"{o.LeaseName}\" is not a valid Kubernetes name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters.";
        }

        if (!string.IsNullOrWhiteSpace(o.LeaseNamespace) && !OptionsRules.IsNamespaceName(o.LeaseNamespace))
        {
            yield return $"RoostHa:LeaseNamespace \"{o.LeaseNamespace}\" is not a valid namespace name: {OptionsRules.NamespaceNameRule}.";
        }

        if (o.RetryPeriod <= TimeSpan.Zero)
        {
            yield return $"RoostHa:RetryPeriod ({OptionsRules.Format(o.RetryPeriod)}) must be greater than zero.";
        }

        if (o.RenewDeadline <= TimeSpan.FromTicks((long)(JitterFactor * o.RetryPeriod.Ticks)))
        {
            yield return $"RoostHa:RenewDeadline ({OptionsRules.Format(o.RenewDeadline)}) must be greater than {JitterFactor.ToString(CultureInfo.InvariantCulture)} × RetryPeriod ({OptionsRules.Format(o.RetryPeriod)}).";
        }

        if (o.LeaseDuration <= o.RenewDeadline)
        {
            yield return $"RoostHa:LeaseDuration ({OptionsRules.Format(o.LeaseDuration)}) must be greater than RenewDeadline ({OptionsRules.Format(o.RenewDeadline)}).";
        }

        if (o.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            yield return $"RoostHa:LeaseDuration ({OptionsRules.Format(o.LeaseDuration)}) must be at least 1s: the Lease records it in whole seconds.";
        }

        if (o.StopLeadingTimeout <= TimeSpan.Zero)
        {
            yield return $"RoostHa:StopLeadingTimeout ({OptionsRules.Format(o.StopLeadingTimeout)}) must be greater than zero.";
        }

        if (o.MaxClockSkew < TimeSpan.Zero)
        {
            yield return $"RoostHa:MaxClockSkew ({OptionsRules.Format(o.MaxClockSkew.Value)}) must not be negative.";
        }

        if (o.RetryPeriod > TimeSpan.Zero && o.RetryPeriod < MinRetryPeriod)
        {
            yield return $"RoostHa:RetryPeriod ({OptionsRules.Format(o.RetryPeriod)}) must be at least {OptionsRules.Format(MinRetryPeriod)}: every replica calls the API server this often.";
        }

        // Upper bounds: a Lease held by a crashed leader is taken over only after LeaseDuration, so a duration
        // typed in the wrong unit (15 days for 15 seconds) must fail start-up, not show up as a two-week outage.
        foreach (var (name, value, max) in new (string, TimeSpan?, TimeSpan)[]
        {
            (nameof(o.LeaseDuration), o.LeaseDuration, MaxLeaseDuration),
            (nameof(o.RenewDeadline), o.RenewDeadline, MaxLeaseDuration),
            (nameof(o.RetryPeriod), o.RetryPeriod, MaxRetryPeriod),
            (nameof(o.StopLeadingTimeout), o.StopLeadingTimeout, MaxStopLeadingTimeout),
            (nameof(o.MaxClockSkew), o.MaxClockSkew, MaxClockSkew),
        })
        {
            if (value > max)
            {
                yield return $"RoostHa:{name} ({OptionsRules.Format(value.Value)}) must be at most {OptionsRules.Format(max)}.";
            }
        }
    }
}
