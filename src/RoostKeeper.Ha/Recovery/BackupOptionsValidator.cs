using Cronos;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;
using RoostKeeper.Ha.Recovery.Resources;

namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// Validates <see cref="BackupOptions"/>; every failure names the option, its value and the rule. The options are
/// set in code only (no configuration section), so a message names them <c>BackupOptions.Option</c>.
/// </summary>
internal sealed class BackupOptionsValidator : IValidateOptions<BackupOptions>
{
    private static readonly BackupOptionsAnnotations Annotations = new();

    public ValidateOptionsResult Validate(string? name, BackupOptions options) => OptionsRules.Result(Failures(options));

    /// <summary>Throws what start-up validation would report, for the manager built without DI.</summary>
    /// <exception cref="OptionsValidationException"><paramref name="options"/> break a rule.</exception>
    public static void ThrowIfInvalid(BackupOptions options) => OptionsRules.ThrowIfAny<BackupOptions>(Failures(options));

    public static IEnumerable<string> Failures(BackupOptions options)
    {
        foreach (var failure in OptionsRules.Failures(Annotations.Validate(null, options)))
        {
            yield return failure;
        }

        if (options.Resources.Count == 0)
        {
            yield return "BackupOptions.Resources is empty: include at least one resource type (Include(group, version, plural), IncludeConfigMaps(...)).";
        }

        foreach (var resource in options.Resources)
        {
            if (string.IsNullOrEmpty(resource.Version) || string.IsNullOrEmpty(resource.Plural))
            {
                yield return $"BackupOptions.Resources: {resource} needs a version and a plural name.";
            }
            else if (!ResourceClient.IsSupportedCore(resource))
            {
                yield return $"BackupOptions.Resources: {resource} is not supported; of the core group, namespaces, configmaps and secrets are.";
            }
        }

        if (options.Resources.Any(r => r.IsSecrets) && options.EncryptionKey is null)
        {
            yield return "BackupOptions.Resources includes Secrets but BackupOptions.EncryptionKey is not set: Secrets are backed up only with encryption on. Call Encrypt(...) with a key from a Secret or file.";
        }

        if (options.PageSize is < 10 or > 5000)
        {
            yield return $"BackupOptions.PageSize ({options.PageSize}) must be from 10 to 5000.";
        }

        if (options.Retention is { } retention)
        {
            if (retention.Count is < 1)
            {
                yield return $"BackupOptions.Retention.Count ({retention.Count}) must be at least 1.";
            }

            if (retention.MaxAge is { } age && age <= TimeSpan.Zero)
            {
                yield return $"BackupOptions.Retention.MaxAge ({OptionsRules.Format(age)}) must be greater than zero.";
            }
        }

        if (options.Schedule is { } schedule)
        {
            string? problem = null;
            CronExpression? cron = null;
            try
            {
                cron = CronExpression.Parse(schedule);
            }
            catch (CronFormatException e)
            {
                problem = $"BackupOptions.Schedule (\"{schedule}\") is not a valid cron expression: {e.Message}";
            }

            if (problem is not null)
            {
                yield return problem;
            }
            else if (options.Retention is { MaxAge: { } maxAge } && cron!.GetNextOccurrence(DateTime.UnixEpoch) is { } first
                && cron.GetNextOccurrence(first) is { } second && second - first > maxAge)
            {
                yield return $"BackupOptions.Retention.MaxAge ({OptionsRules.Format(maxAge)}) is shorter than the interval of BackupOptions.Schedule (\"{schedule}\", {OptionsRules.Format(second - first)}): every backup but the newest would be deleted as soon as it is made.";
            }
        }
    }
}
