namespace RoostKeeper.Ha.Sharding;

/// <summary>
/// Bounded-load rendezvous hashing with minimal moves: the leader's pure function from (live members, current
/// targets) to new targets. Every member gets ⌊N/R⌋ shards, and N mod R of them one more (those already holding
/// more first, then by hash), so max − min ≤ 1. Each member keeps as many of its current shards as its quota allows
/// (its highest-scoring ones), so only the shards a quota forces off move; the freed shards go, in shard order, to
/// the highest-scoring member still under quota. Deterministic: the same input gives the same output on any replica.
/// </summary>
internal static class ShardAssignment
{
    /// <summary>The new targets for <paramref name="shards"/> shards over <paramref name="members"/>.</summary>
    /// <param name="shards">The shard count.</param>
    /// <param name="members">The live members (any order; duplicates ignored).</param>
    /// <param name="current">The current targets, one per shard (null or a non-member: unassigned).</param>
    /// <returns>One target per shard; all null when there are no members.</returns>
    public static string?[] Assign(int shards, IEnumerable<string> members, IReadOnlyList<string?> current)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        if (current.Count != shards)
        {
            throw new ArgumentException($"{current.Count} current targets for {shards} shards.", nameof(current));
        }

        var sorted = members.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var targets = new string?[shards];
        if (sorted.Length == 0)
        {
            return targets;
        }

        var index = sorted.Select((m, i) => (m, i)).ToDictionary(x => x.m, x => x.i, StringComparer.Ordinal);
        var held = new List<int>[sorted.Length];
        for (var m = 0; m < sorted.Length; m++)
        {
            held[m] = [];
        }

        for (var s = 0; s < shards; s++)
        {
            if (current[s] is { } target && index.TryGetValue(target, out var m))
            {
                held[m].Add(s);
            }
        }

        // Quotas: ⌊N/R⌋ for all, +1 for N mod R members: those holding more first (they keep more), then by a hash
        // of the member (not its name's order, so the extra shards do not always land on the same replica).
        var quota = new int[sorted.Length];
        var baseQuota = shards / sorted.Length;
        Array.Fill(quota, baseQuota);
        foreach (var m in Enumerable.Range(0, sorted.Length)
                     .OrderByDescending(m => held[m].Count)
                     .ThenByDescending(m => ShardKeys.Score(-1, sorted[m]))
                     .ThenBy(m => m)
                     .Take(shards % sorted.Length))
        {
            quota[m]++;
        }

        var load = new int[sorted.Length];
        for (var m = 0; m < sorted.Length; m++)
        {
            foreach (var s in held[m].OrderByDescending(s => ShardKeys.Score(s, sorted[m])).ThenBy(s => s).Take(quota[m]))
            {
                targets[s] = sorted[m];
                load[m]++;
            }
        }

        for (var s = 0; s < shards; s++)
        {
            if (targets[s] is not null)
            {
                continue;
            }

            var best = -1;
            for (var m = 0; m < sorted.Length; m++)
            {
                if (load[m] < quota[m] && (best < 0 || ShardKeys.Score(s, sorted[m]) > ShardKeys.Score(s, sorted[best])))
                {
                    best = m;
                }
            }

            targets[s] = sorted[best];
            load[best]++;
        }

        return targets;
    }
}
