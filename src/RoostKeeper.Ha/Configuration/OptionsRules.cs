using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace RoostKeeper.Ha.Configuration;

/// <summary>
/// What the options validators share: single-property rules are DataAnnotations checked by the
/// <c>[OptionsValidator]</c> source generator; the rules across properties (RenewDeadline against RetryPeriod, a
/// schedule against a retention) and the ones whose message shows the value are hand-written, with these helpers,
/// so every message names the option, shows its value and states the rule in the same words.
/// </summary>
internal static partial class OptionsRules
{
    /// <summary>A duration as the messages (and configuration) write it: "15s", "500ms".</summary>
    public static string Format(TimeSpan value) =>
        value.TotalSeconds >= 1 && value.Milliseconds == 0
            ? value.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s"
            : value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms";

    /// <summary>Whether <paramref name="value"/> is a valid namespace name (an RFC 1123 label of at most 63 characters).</summary>
    public static bool IsNamespaceName(string value) => value.Length <= 63 && DnsLabel().IsMatch(value);

    /// <summary>Whether <paramref name="value"/> is a valid object name (an RFC 1123 subdomain of at most 253 characters).</summary>
    public static bool IsObjectName(string value) => value.Length <= 253 && DnsSubdomain().IsMatch(value);

    /// <summary>What the message says of a name that is not a valid namespace name.</summary>
    public const string NamespaceNameRule = "use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";

    /// <summary>The failures of a generated validator's result, none when it succeeded or skipped.</summary>
    public static IEnumerable<string> Failures(ValidateOptionsResult result) =>
        result.Failed ? result.Failures ?? [result.FailureMessage] : [];

    /// <summary>The result of a validator from its failures.</summary>
    public static ValidateOptionsResult Result(IEnumerable<string> failures)
    {
        var list = failures.ToList();
        return list.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(list);
    }

    /// <summary>Throws what start-up validation would report, for the managers built without DI.</summary>
    /// <exception cref="OptionsValidationException">There are failures.</exception>
    public static void ThrowIfAny<TOptions>(IEnumerable<string> failures)
    {
        var list = failures.ToList();
        if (list.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), list);
        }
    }

    // \z, not $: $ also matches before a final newline, so "name\n" would pass.
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();
}
