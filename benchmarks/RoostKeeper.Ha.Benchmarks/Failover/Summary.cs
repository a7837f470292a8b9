using System.Globalization;

namespace RoostKeeper.Ha.Benchmarks.Failover;

/// <summary>Median, minimum and maximum of a few samples.</summary>
internal sealed record Summary(double Median, double Min, double Max, int Count)
{
    public static Summary Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
        {
            return new Summary(double.NaN, double.NaN, double.NaN, 0);
        }

        var sorted = samples.Order().ToArray();
        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Summary(median, sorted[0], sorted[^1], sorted.Length);
    }

    public string Format(string unit, string format = "0") =>
        Count == 0 ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{Median.ToString(format, CultureInfo.InvariantCulture)} {unit} ({Min.ToString(format, CultureInfo.InvariantCulture)}–{Max.ToString(format, CultureInfo.InvariantCulture)})");
}
