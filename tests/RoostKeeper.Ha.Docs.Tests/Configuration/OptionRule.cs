using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using k8s.Models;

namespace RoostKeeper.Ha.Docs.Tests.Configuration;

/// <summary>
/// The rule of a "Valid" cell: parts joined by " and ", each one of <c>any</c>, <c>described</c>,
/// <c>required</c>, <c>non-empty</c>, <c>invalid: literal</c> or a comparison (<c>&gt; 0</c>, <c>&lt;= 5GiB</c>,
/// <c>&gt; RenewDeadline</c>, <c>&gt; 1.2 × RetryPeriod</c>). It predicts whether a value is valid, and names the
/// values worth probing: each bound, one step either side of it, and the examples.
/// </summary>
internal sealed partial class OptionRule
{
    private readonly IReadOnlyList<Part> _parts;

    private OptionRule(PropertyInfo property, IReadOnlyList<Part> parts)
    {
        Property = property;
        _parts = parts;
    }

    public PropertyInfo Property { get; }

    /// <summary>True when the rule is only in the text (<c>described</c>) or there is none (<c>any</c>): nothing to probe.</summary>
    public bool IsUnchecked => _parts.All(p => p.Kind is "any" or "described");

    public static OptionRule Parse(string rule, PropertyInfo property)
    {
        var parts = new List<Part>();
        foreach (var text in rule.Split(" and ", StringSplitOptions.TrimEntries))
        {
            if (text is "any" or "described" or "required" or "non-empty")
            {
                parts.Add(new Part(text, null, null, null));
                continue;
            }

            if (text.StartsWith("invalid:", StringComparison.Ordinal))
            {
                parts.Add(new Part("invalid", null, OptionValues.Parse(text["invalid:".Length..], property.PropertyType), null));
                continue;
            }

            var comparison = Comparison().Match(text);
            if (!comparison.Success)
            {
                throw new FormatException($"\"{text}\" is not a rule: use any, described, required, non-empty, invalid: value, or a comparison such as \"> 0\".");
            }

            var operand = comparison.Groups["operand"].Value;
            var scaled = Scaled().Match(operand);
            if (scaled.Success)
            {
                var other = property.DeclaringType!.GetProperty(scaled.Groups["name"].Value)
                    ?? throw new FormatException($"\"{text}\": {property.DeclaringType.Name} has no option {scaled.Groups["name"].Value}.");
                parts.Add(new Part(comparison.Groups["op"].Value, other, null, double.Parse(scaled.Groups["factor"].Value, CultureInfo.InvariantCulture)));
            }
            else if (property.DeclaringType!.GetProperty(operand) is { } other)
            {
                parts.Add(new Part(comparison.Groups["op"].Value, other, null, null));
            }
            else
            {
                parts.Add(new Part(comparison.Groups["op"].Value, null, OptionValues.Parse(operand, property.PropertyType), null));
            }
        }

        if (parts.Count > 1 && parts.Any(p => p.Kind is "any" or "described"))
        {
            throw new FormatException($"\"{rule}\": any and described stand alone.");
        }

        return new OptionRule(property, parts);
    }

    /// <summary>Whether the rule admits <paramref name="value"/> on <paramref name="options"/> (for options it is compared with).</summary>
    public bool Admits(object? value, object options) => _parts.All(p => p.Kind switch
    {
        "any" or "described" => true,
        "required" => value is not null && (value is not string s || !string.IsNullOrWhiteSpace(s)),
        "non-empty" => value is IEnumerable items && items.Cast<object?>().Any(),
        "invalid" => OptionValues.Format(value) != OptionValues.Format(p.Literal),
        _ => value is null || Bound(p, options) is not { } bound || Compare(p.Kind, (IComparable)value, bound),
    });

    /// <summary>The values to try on <paramref name="options"/>: each bound and a step either side, the examples, null where the type allows it.</summary>
    public IReadOnlyList<object?> ProbeValues(object options)
    {
        var values = new List<object?> { Property.GetValue(options) };
        var type = Property.PropertyType;
        foreach (var part in _parts)
        {
            switch (part.Kind)
            {
                case "required":
                    values.Add(null);
                    if (type == typeof(string))
                    {
                        values.Add("");
                        values.Add("  ");
                    }

                    break;
                case "non-empty":
                    values.Add(Empty.Instance);
                    break;
                case "invalid":
                    values.Add(part.Literal);
                    break;
                case "any" or "described":
                    break;
                default:
                    if (Bound(part, options) is { } bound)
                    {
                        var step = OptionValues.Step(type);
                        values.Add(OptionValues.Add(bound, step, -1));
                        values.Add(bound);
                        values.Add(OptionValues.Add(bound, step, +1));
                    }

                    break;
            }
        }

        if (Nullable.GetUnderlyingType(type) is not null)
        {
            values.Add(null);
        }

        return values.Distinct().ToList();
    }

    private static object? Bound(Part part, object options)
    {
        if (part.Other is null)
        {
            return part.Literal;
        }

        var other = part.Other.GetValue(options);
        return (other, part.Factor) switch
        {
            (null, _) => null,
            (TimeSpan t, { } f) => TimeSpan.FromTicks((long)(f * t.Ticks)),
            (_, null) => other,
            _ => throw new NotSupportedException($"Cannot scale a {other.GetType().Name}."),
        };
    }

    private static bool Compare(string op, IComparable value, object bound)
    {
        var c = value.CompareTo(bound);
        return op switch
        {
            ">" => c > 0,
            ">=" => c >= 0,
            "<" => c < 0,
            "<=" => c <= 0,
            _ => throw new NotSupportedException(op),
        };
    }

    [GeneratedRegex(@"^(?<op>>=|<=|>|<)\s*(?<operand>.+)$")]
    private static partial Regex Comparison();

    [GeneratedRegex(@"^(?<factor>\d+(?:\.\d+)?)\s*×\s*(?<name>\w+)$")]
    private static partial Regex Scaled();

    private sealed record Part(string Kind, PropertyInfo? Other, object? Literal, double? Factor);
}
