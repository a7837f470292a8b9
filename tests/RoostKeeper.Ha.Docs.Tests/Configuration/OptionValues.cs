using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using k8s.Models;

namespace RoostKeeper.Ha.Docs.Tests.Configuration;

/// <summary>How the reference writes types, defaults and literal values, and how it reads them back.</summary>
internal static partial class OptionValues
{
    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>The type as written in C# source: keywords, generics, '?' for nullable (annotated) types.</summary>
    public static string TypeName(PropertyInfo property) => TypeName(property.PropertyType, Nullability.Create(property));

    /// <summary>A default as the reference writes it: <c>null</c>, <c>true</c>, <c>15s</c>, <c>"default"</c>, <c>empty</c>…</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        int or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        TimeSpan t => Duration(t),
        string s => $"\"{s}\"",
        Enum e => e.ToString(),
        IntOrString i => i.Value,
        TimeProvider p when ReferenceEquals(p, TimeProvider.System) => "TimeProvider.System",
        IEnumerable items => items.Cast<object?>().Any() ? $"[{items.Cast<object?>().Count()} items]" : "empty",
        _ => value.ToString() ?? "",
    };

    public static string Duration(TimeSpan value) =>
        value == TimeSpan.Zero ? "0"
        : value.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{value.Ticks / TimeSpan.TicksPerMinute}min"
        : value.Ticks % TimeSpan.TicksPerSecond == 0 ? $"{value.Ticks / TimeSpan.TicksPerSecond}s"
        : value.Ticks % TimeSpan.TicksPerMillisecond == 0 ? $"{value.Ticks / TimeSpan.TicksPerMillisecond}ms"
        : $"{value.Ticks}ticks";

    /// <summary>Reads a literal of the reference (<c>10ms</c>, <c>5MiB</c>, <c>"25%"</c>, <c>1.2</c>) as a value of <paramref name="type"/>.</summary>
    public static object Parse(string literal, Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        literal = literal.Trim();
        if (literal.StartsWith('"') && literal.EndsWith('"') && literal.Length >= 2)
        {
            var text = literal[1..^1];
            return target == typeof(IntOrString) ? (IntOrString)text : text;
        }

        if (target == typeof(TimeSpan))
        {
            var m = DurationLiteral().Match(literal);
            if (!m.Success)
            {
                throw new FormatException($"\"{literal}\" is not a duration (write 10ms, 2s, 1min or 0).");
            }

            var amount = double.Parse(m.Groups["amount"].Value, CultureInfo.InvariantCulture);
            return m.Groups["unit"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "min" => TimeSpan.FromMinutes(amount),
                "" when amount == 0 => TimeSpan.Zero,
                _ => throw new FormatException($"\"{literal}\" needs a unit (ms, s, min)."),
            };
        }

        var size = SizeLiteral().Match(literal);
        if (!size.Success)
        {
            throw new FormatException($"\"{literal}\" is not a number.");
        }

        var number = long.Parse(size.Groups["amount"].Value, CultureInfo.InvariantCulture) * size.Groups["unit"].Value switch
        {
            "KiB" => 1024L,
            "MiB" => 1024L * 1024,
            "GiB" => 1024L * 1024 * 1024,
            _ => 1L,
        };
        return Convert.ChangeType(number, target, CultureInfo.InvariantCulture);
    }

    /// <summary>The smallest step of a value's type that the reference's bounds are probed with.</summary>
    public static object Step(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return target == typeof(TimeSpan) ? TimeSpan.FromMilliseconds(1) : Convert.ChangeType(1, target, CultureInfo.InvariantCulture);
    }

    public static object Add(object value, object step, int sign) => (value, step) switch
    {
        (TimeSpan v, TimeSpan s) => sign > 0 ? v + s : v - s,
        (int v, int s) => v + (sign * s),
        (long v, long s) => v + (sign * s),
        _ => throw new NotSupportedException($"Cannot step a {value.GetType().Name}."),
    };

    private static string TypeName(Type type, NullabilityInfo nullability)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Keyword(underlying) + "?";
        }

        var name = Keyword(type);
        if (type.IsGenericType)
        {
            var arguments = type.GetGenericArguments().Select((t, i) => TypeName(t, nullability.GenericTypeArguments[i]));
            name = $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", arguments)}>";
        }

        return !type.IsValueType && nullability.ReadState == NullabilityState.Nullable ? name + "?" : name;
    }

    private static string Keyword(Type type) =>
        type == typeof(string) ? "string"
        : type == typeof(bool) ? "bool"
        : type == typeof(int) ? "int"
        : type == typeof(long) ? "long"
        : type == typeof(double) ? "double"
        : type.Name;

    [GeneratedRegex(@"^(?<amount>\d+(?:\.\d+)?)(?<unit>ms|s|min)?$")]
    private static partial Regex DurationLiteral();

    [GeneratedRegex(@"^(?<amount>-?\d+)(?<unit>KiB|MiB|GiB)?$")]
    private static partial Regex SizeLiteral();
}
