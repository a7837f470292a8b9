using k8s.Models;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>Label selectors as list queries and as matchers (metav1.LabelSelectorAsSelector).</summary>
internal static class LabelSelectors
{
    /// <summary>The selector in the API's query syntax, e.g. "app=roost,tier in (web,api)".</summary>
    public static string ToQuery(V1LabelSelector? selector)
    {
        var parts = new List<string>();
        foreach (var (key, value) in selector?.MatchLabels ?? new Dictionary<string, string>())
        {
            parts.Add($"{key}={value}");
        }

        foreach (var e in selector?.MatchExpressions ?? [])
        {
            parts.Add(e.OperatorProperty switch
            {
                "In" => $"{e.Key} in ({string.Join(',', e.Values ?? [])})",
                "NotIn" => $"{e.Key} notin ({string.Join(',', e.Values ?? [])})",
                "Exists" => e.Key,
                "DoesNotExist" => "!" + e.Key,
                _ => throw new ArgumentException($"unknown label selector operator \"{e.OperatorProperty}\"", nameof(selector)),
            });
        }

        return string.Join(',', parts);
    }

    /// <summary>Whether <paramref name="labels"/> match; an empty selector matches everything, a null one nothing (as for PodDisruptionBudgets).</summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector is null)
        {
            return false;
        }

        labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var e in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(e.Key, out var actual);
            var ok = e.OperatorProperty switch
            {
                "In" => has && (e.Values ?? []).Contains(actual!),
                "NotIn" => !has || !(e.Values ?? []).Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
