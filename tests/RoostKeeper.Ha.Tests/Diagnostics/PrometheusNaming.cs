using System.Diagnostics.Metrics;
using System.Text;
using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.Tests.Diagnostics;

/// <summary>
/// How the OpenTelemetry .NET Prometheus exporter names and types an instrument (its PrometheusMetric rules, as
/// far as the units this library uses): characters other than letters, digits and ':' become one '_'; the unit,
/// with annotations in braces removed and abbreviations spelled out ("s" seconds, "By" bytes), is appended unless
/// the name already contains it; counters get "_total" unless the name contains "total"; gauges of unit "1" get
/// "_ratio".
/// </summary>
internal static partial class PrometheusNaming
{
    public static string Type(Instrument instrument) => instrument switch
    {
        Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => "counter",
        Histogram<long> or Histogram<int> or Histogram<double> => "histogram",
        _ => "gauge", // gauges, observable gauges and up-down counters
    };

    public static string Name(Instrument instrument) => Name(instrument.Name, instrument.Unit, Type(instrument));

    public static string Name(string instrument, string? unit, string type)
    {
        var name = Sanitize(instrument);
        if (!string.IsNullOrEmpty(unit))
        {
            var suffix = Unit(unit);
            if (!name.Contains(suffix, StringComparison.Ordinal))
            {
                name += "_" + suffix;
            }
        }

        if (type == "counter" && !name.Contains("total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        if (type == "gauge" && unit == "1" && !name.Contains("ratio", StringComparison.Ordinal))
        {
            name += "_ratio";
        }

        return name;
    }

    /// <summary>The unit as a name suffix; empty for annotations such as "{change}" (a count is unitless to Prometheus).</summary>
    public static string Unit(string unit) => Annotation().Replace(unit, "") switch
    {
        "s" => "seconds",
        "ms" => "milliseconds",
        "By" => "bytes",
        "1" => "",
        var other => other,
    };

    private static string Sanitize(string name)
    {
        var result = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsLetterOrDigit(c) || c == ':')
            {
                result.Append(c);
            }
            else if (result.Length == 0 || result[^1] != '_')
            {
                result.Append('_');
            }
        }

        return result.ToString();
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Annotation();
}
