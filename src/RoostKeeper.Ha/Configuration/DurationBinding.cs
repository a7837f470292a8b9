using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace RoostKeeper.Ha.Configuration;

/// <summary>
/// Durations as operators write them in configuration: <c>15s</c>, <c>500ms</c>, <c>2m</c> (or <c>2min</c>,
/// as the docs' tables write it), <c>1h30m</c> (client-go's flag syntax), or <c>hh:mm:ss</c> / <c>d.hh:mm:ss</c>. A bare number is refused: .NET's binder
/// reads <c>15</c> as fifteen days, which is never what <c>LeaseDuration=15</c> meant. Options sections are
/// bound with their TimeSpan properties hidden from the binder and parsed here; what does not parse is
/// left at its default and reported by <see cref="Failures"/> (through the options validators).
/// </summary>
internal static partial class DurationBinding
{
    /// <summary>What the messages suggest.</summary>
    public const string Examples = "\"15s\", \"500ms\", \"2m\", \"1h30m\" or \"00:00:15\"";

    /// <summary>Binds <paramref name="section"/> to <paramref name="options"/>, durations with the syntax above.</summary>
    public static void Bind(IConfigurationSection section, object options)
    {
        var durations = DurationProperties(options.GetType());
        new WithoutKeys(section, durations.Select(d => d.Name).ToHashSet(StringComparer.OrdinalIgnoreCase)).Bind(options);
        foreach (var (name, property) in durations)
        {
            if (section[name] is { } text && TryParse(text, out var value, out _))
            {
                property.SetValue(options, value);
            }
        }
    }

    /// <summary>One message per duration in <paramref name="section"/> that does not parse, naming the key and both readings of a bare number.</summary>
    public static IEnumerable<string> Failures(IConfigurationSection section, Type optionsType)
    {
        foreach (var (name, _) in DurationProperties(optionsType))
        {
            if (section[name] is { } text && !TryParse(text, out _, out var problem))
            {
                yield return $"{section.Path}:{name} {problem}";
            }
        }
    }

    /// <summary>Parses one duration; <paramref name="problem"/> says what is wrong when it does not.</summary>
    public static bool TryParse(string text, out TimeSpan value, out string? problem)
    {
        value = default;
        problem = null;
        var trimmed = text.Trim();
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var bare))
        {
            var asDays = TimeSpan.FromDays(Math.Clamp(bare, -10_000, 10_000));
            problem = string.Create(
                CultureInfo.InvariantCulture,
                $"is \"{trimmed}\", a number without a unit: .NET would read it as {trimmed} days ({asDays.TotalSeconds:0.###}s), though \"{trimmed}s\" ({trimmed} seconds) may be what was meant. Write the unit: {Examples}.");
            return false;
        }

        if (trimmed.Contains(':', StringComparison.Ordinal))
        {
            if (TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out value))
            {
                return true;
            }
        }
        else if (GoDuration().Match(trimmed) is { Success: true } match)
        {
            var total = 0.0;
            foreach (Capture part in match.Groups["part"].Captures)
            {
                var unit = part.Value.TrimStart("0123456789.".ToCharArray());
                var number = double.Parse(part.Value.AsSpan(0, part.Value.Length - unit.Length), NumberStyles.Float, CultureInfo.InvariantCulture);
                total += number * unit switch
                {
                    "ms" => 1,
                    "s" => 1_000,
                    "m" or "min" => 60_000,
                    _ => 3_600_000,
                };
            }

            if (match.Groups["sign"].Success)
            {
                total = -total;
            }

            if (Math.Abs(total) < TimeSpan.MaxValue.TotalMilliseconds)
            {
                value = TimeSpan.FromMilliseconds(total);
                return true;
            }
        }

        problem = $"is \"{trimmed}\", which is not a duration: write {Examples}.";
        return false;
    }

    private static List<(string Name, PropertyInfo Property)> DurationProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && (p.PropertyType == typeof(TimeSpan) || p.PropertyType == typeof(TimeSpan?)))
            .Select(p => (p.Name, p))
            .ToList();

    [GeneratedRegex("^(?<sign>-)?(?<part>[0-9]+(\\.[0-9]+)?(ms|min|s|m|h))+$", RegexOptions.CultureInvariant)]
    private static partial Regex GoDuration();

    /// <summary>The section as the binder sees it, with the duration keys absent (the binder would misread or reject them).</summary>
    private sealed class WithoutKeys(IConfigurationSection inner, HashSet<string> hidden) : IConfigurationSection
    {
        public string Key => inner.Key;

        public string Path => inner.Path;

        public string? Value
        {
            get => inner.Value;
            set => inner.Value = value;
        }

        public string? this[string key]
        {
            get => hidden.Contains(key) ? null : inner[key];
            set => inner[key] = value;
        }

        public IConfigurationSection GetSection(string key) => hidden.Contains(key) ? new Absent(inner.Path, key) : inner.GetSection(key);

        public IEnumerable<IConfigurationSection> GetChildren() => inner.GetChildren().Where(c => !hidden.Contains(c.Key));

        public IChangeToken GetReloadToken() => inner.GetReloadToken();
    }

    /// <summary>A key with no value and no children: the binder leaves the property as it is.</summary>
    private sealed class Absent(string parentPath, string key) : IConfigurationSection
    {
        public string Key => key;

        public string Path => ConfigurationPath.Combine(parentPath, key);

        public string? Value
        {
            get => null;
            set => throw new NotSupportedException();
        }

        public string? this[string childKey]
        {
            get => null;
            set => throw new NotSupportedException();
        }

        public IConfigurationSection GetSection(string childKey) => new Absent(Path, childKey);

        public IEnumerable<IConfigurationSection> GetChildren() => [];

        public IChangeToken GetReloadToken() => new CancellationChangeToken(CancellationToken.None);
    }
}
