using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// client-go's rules (LeaseDuration &gt; RenewDeadline &gt; 1.2 × RetryPeriod &gt; 0) plus Kubernetes
/// naming rules; every failure names the option, its value and the rule it breaks.
/// </summary>
internal sealed partial class LeaderElectionOptionsValidator : IValidateOptions<LeaderElectionOptions>
{
    /// <summary>client-go's JitterFactor: the leader may renew up to 1.2 × RetryPeriod after the last try.</summary>
    private const double JitterFactor = 1.2;

    /// <summary>The ranges documented on <see cref="LeaderElectionOptions"/> and in docs/configuration.md.</summary>
    public static readonly TimeSpan MinRetryPeriod = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan MaxRetryPeriod = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan MaxStopLeadingTimeout = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, LeaderElectionOptions options)
    {
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static IEnumerable<string> Failures(LeaderElectionOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.LeaseName))
        {
            yield return "RoostHa:LeaseName is required: the name of the Lease the replicas compete for (e.g. \"my-controller\").";
        }
        else if (o.LeaseName.Length > 253 || !DnsSubdomain().IsMatch(o.LeaseName))
        {
            yield return $"RoostHa:LeaseName \"{o.LeaseName}\" is not a valid Kubernetes name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters.";
        }

        if (string.IsNullOrWhiteSpace(o.LeaseNamespace))
        {
            yield return "RoostHa:LeaseNamespace is required outside a pod: set it, or POD_NAMESPACE, or a namespace on the kubeconfig context in use (kubectl config set-context --current --namespace=NAME).";
        }
        else if (o.LeaseNamespace.Length > 63 || !DnsLabel().IsMatch(o.LeaseNamespace))
        {
            yield return $"RoostHa:LeaseNamespace \"{o.LeaseNamespace}\" is not a valid namespace name: use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters.";
        }

        if (string.IsNullOrWhiteSpace(o.Identity))
        {
            yield return "RoostHa:Identity must not be empty.";
        }

        if (o.RetryPeriod <= TimeSpan.Zero)
        {
            yield return $"RoostHa:RetryPeriod ({Format(o.RetryPeriod)}) must be greater than zero.";
        }

        if (o.RenewDeadline <= TimeSpan.FromTicks((long)(JitterFactor * o.RetryPeriod.Ticks)))
        {
            yield return $"RoostHa:RenewDeadline ({Format(o.RenewDeadline)}) must be greater than {JitterFactor.ToString(CultureInfo.InvariantCulture)} × RetryPeriod ({Format(o.RetryPeriod)}).";
        }

        if (o.LeaseDuration <= o.RenewDeadline)
        {
            yield return $"RoostHa:LeaseDuration ({Format(o.LeaseDuration)}) must be greater than RenewDeadline ({Format(o.RenewDeadline)}).";
        }

        if (o.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            yield return $"RoostHa:LeaseDuration ({Format(o.LeaseDuration)}) must be at least 1s: the Lease records it in whole seconds.";
        }

        if (o.StopLeadingTimeout <= TimeSpan.Zero)
        {
            yield return $"RoostHa:StopLeadingTimeout ({Format(o.StopLeadingTimeout)}) must be greater than zero.";
        }

        if (o.MaxClockSkew < TimeSpan.Zero)
        {
            yield return $"RoostHa:MaxClockSkew ({Format(o.MaxClockSkew.Value)}) must not be negative.";
        }

        if (o.RetryPeriod > TimeSpan.Zero && o.RetryPeriod < MinRetryPeriod)
        {
            yield return $"RoostHa:RetryPeriod ({Format(o.RetryPeriod)}) must be at least {Format(MinRetryPeriod)}: every replica calls the API server this often.";
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
                yield return $"RoostHa:{name} ({Format(value.Value)}) must be at most {Format(max)}.";
            }
        }
    }

    private static string Format(TimeSpan value) =>
        value.TotalSeconds >= 1 && value.Milliseconds == 0
            ? value.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s"
            : value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
