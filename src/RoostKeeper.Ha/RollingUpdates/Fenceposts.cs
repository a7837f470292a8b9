using System.Globalization;
using k8s.Models;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>maxSurge and maxUnavailable resolved to pods as the Deployment controller's ResolveFenceposts does.</summary>
internal static class Fenceposts
{
    /// <summary>(value, isPercent), or null when <paramref name="value"/> is neither a non-negative count nor a percentage.</summary>
    public static (int Value, bool IsPercent)? Parse(IntOrString? value)
    {
        var text = value?.Value;
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var isPercent = text.EndsWith('%');
        var digits = isPercent ? text[..^1] : text;
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? (number, isPercent) : null;
    }

    /// <summary>maxSurge rounds up, maxUnavailable rounds down; both zero becomes maxUnavailable 1, as the controller does.</summary>
    public static (int MaxSurge, int MaxUnavailable) Resolve(IntOrString? maxSurge, IntOrString? maxUnavailable, int replicas)
    {
        var surge = Scale(maxSurge ?? "25%", replicas, roundUp: true);
        var unavailable = Scale(maxUnavailable ?? "25%", replicas, roundUp: false);
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    /// <summary>A count or a percentage of <paramref name="total"/>.</summary>
    public static int Scale(IntOrString value, int total, bool roundUp)
    {
        if (Parse(value) is not { } parsed)
        {
            return 0;
        }

        if (!parsed.IsPercent)
        {
            return parsed.Value;
        }

        var scaled = (decimal)parsed.Value * total / 100m;
        return (int)(roundUp ? Math.Ceiling(scaled) : Math.Floor(scaled));
    }
}
