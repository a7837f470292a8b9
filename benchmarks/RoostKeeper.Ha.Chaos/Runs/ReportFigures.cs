namespace RoostKeeper.Ha.Chaos.Runs;

/// <summary>The statistics both campaign reports print: percentiles of sorted durations and medians, in milliseconds.</summary>
internal static class ReportFigures
{
    /// <summary>The <paramref name="p"/> percentile (nearest rank) of <paramref name="sorted"/>; <see cref="TimeSpan.MaxValue"/> stands for "never" and prints as <paramref name="never"/>.</summary>
    public static string Percentile(IReadOnlyList<TimeSpan> sorted, double p, string never)
    {
        if (sorted.Count == 0)
        {
            return "—";
        }

        var value = sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
        return value == TimeSpan.MaxValue ? never : Ms(value);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string Ms(TimeSpan span) => FormattableString.Invariant($"{span.TotalMilliseconds:0} ms");
}
