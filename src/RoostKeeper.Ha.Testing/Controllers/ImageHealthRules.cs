using System.Collections.Concurrent;

namespace RoostKeeper.Ha.Testing;

/// <summary>
/// Decides how the simulated kubelet runs each container image, so a test can make a rollout fail:
/// <c>cluster.Images.Set("roost:v2", ImageHealth.CrashLooping)</c>. Images without a rule are
/// <see cref="Default"/>. A rule applies to pods created after it is set and to running pods alike.
/// </summary>
public sealed class ImageHealthRules
{
    private readonly ConcurrentDictionary<string, ImageHealth> _rules = new(StringComparer.Ordinal);

    internal ImageHealthRules()
    {
    }

    /// <summary>The health of images that have no rule.</summary>
    /// <value>Default <see cref="ImageHealth.Healthy"/>.</value>
    public ImageHealth Default { get; set; } = ImageHealth.Healthy;

    /// <summary>Sets how pods of <paramref name="image"/> (the exact image reference) behave.</summary>
    /// <param name="image">The image reference as written in the pod spec, e.g. "roost-keeper:v2".</param>
    /// <param name="health">The behaviour.</param>
    public void Set(string image, ImageHealth health)
    {
        ArgumentException.ThrowIfNullOrEmpty(image);
        _rules[image] = health;
    }

    /// <summary>How pods of <paramref name="image"/> behave.</summary>
    /// <param name="image">The image reference.</param>
    /// <returns>The rule for the image, or <see cref="Default"/>.</returns>
    public ImageHealth Get(string image) => _rules.TryGetValue(image, out var health) ? health : Default;
}
