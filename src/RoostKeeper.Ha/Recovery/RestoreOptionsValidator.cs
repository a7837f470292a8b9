using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;

namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// Validates <see cref="RestoreOptions"/> when a restore starts, before anything is read; every failure names the
/// option, its value and the rule. The options are passed to a call (no configuration section), so a message
/// names them <c>RestoreOptions.Option</c>.
/// </summary>
internal sealed class RestoreOptionsValidator : IValidateOptions<RestoreOptions>
{
    /// <summary>MaxParallelism's range: objects written at once within one phase.</summary>
    public const int MinParallelism = 1;

    public const int MaxParallelism = 64;

    /// <summary>
    /// DefinitionTimeout's upper bound: a CustomResourceDefinition is Established within seconds, and a value typed
    /// in the wrong unit would leave a restore waiting for days (or overflow the deadline).
    /// </summary>
    public static readonly TimeSpan MaxDefinitionTimeout = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, RestoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OptionsRules.Result(Failures(options));
    }

    /// <summary>Throws when <paramref name="options"/> break a rule, naming every option that does.</summary>
    /// <exception cref="OptionsValidationException">They do.</exception>
    public static void ThrowIfInvalid(RestoreOptions options) => OptionsRules.ThrowIfAny<RestoreOptions>(Failures(options));

    public static IEnumerable<string> Failures(RestoreOptions o)
    {
        if (o.MaxParallelism is < MinParallelism or > MaxParallelism)
        {
            yield return $"RestoreOptions.MaxParallelism ({o.MaxParallelism}) must be from {MinParallelism} to {MaxParallelism}.";
        }

        if (o.DefinitionTimeout <= TimeSpan.Zero)
        {
            yield return $"RestoreOptions.DefinitionTimeout ({OptionsRules.Format(o.DefinitionTimeout)}) must be greater than zero: a restore that includes CustomResourceDefinitions waits this long for each to be Established.";
        }
        else if (o.DefinitionTimeout > MaxDefinitionTimeout)
        {
            yield return $"RestoreOptions.DefinitionTimeout ({OptionsRules.Format(o.DefinitionTimeout)}) must be at most {OptionsRules.Format(MaxDefinitionTimeout)}.";
        }

        if (o.NamespaceMapping is null)
        {
            yield return "RestoreOptions.NamespaceMapping must not be null: leave it empty to restore every object into its own namespace.";
            yield break;
        }

        // Ordinal order, so the messages come in the same order whatever dictionary the caller passed.
        foreach (var (from, to) in o.NamespaceMapping.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!OptionsRules.IsNamespaceName(from))
            {
                yield return $"RestoreOptions.NamespaceMapping: the source \"{from}\" is not a valid namespace name: {OptionsRules.NamespaceNameRule}.";
            }

            if (to is null || !OptionsRules.IsNamespaceName(to))
            {
                yield return $"RestoreOptions.NamespaceMapping: the target \"{to}\" of \"{from}\" is not a valid namespace name: {OptionsRules.NamespaceNameRule}.";
            }
        }
    }
}
