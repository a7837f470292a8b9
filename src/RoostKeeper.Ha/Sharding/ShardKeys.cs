using System.Text;

namespace RoostKeeper.Ha.Sharding;

/// <summary>
/// Key → shard and shard → replica hashing. Both must give the same answer on every replica and in every version
/// that runs side by side, so they are spelled out here (FNV-1a) rather than taken from string.GetHashCode, which is
/// randomized per process.
/// </summary>
internal static class ShardKeys
{
    private const uint FnvOffset32 = 2166136261;
    private const uint FnvPrime32 = 16777619;
    private const ulong FnvOffset64 = 14695981039346656037;
    private const ulong FnvPrime64 = 1099511628211;

    /// <summary>FNV-1a (32-bit) of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static uint Fnv1a32(string text)
    {
        var hash = FnvOffset32;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(text) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= FnvPrime32;
        }

        return hash;
    }

    /// <summary>The default partitioner: FNV-1a (32-bit) of the key's UTF-8 bytes, modulo <paramref name="shards"/>.</summary>
    public static int DefaultShardOf(string key, int shards) => (int)(Fnv1a32(key) % (uint)shards);

    /// <summary>
    /// The shard of <paramref name="key"/> with <paramref name="partitioner"/> (or the default), checked: a custom
    /// partitioner that answers outside [0, shards) is a defect of the application, reported with the facts.
    /// </summary>
    /// <exception cref="InvalidOperationException">The partitioner returned a shard out of range.</exception>
    public static int ShardOf(string key, int shards, Func<string, int, int>? partitioner)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (partitioner is null)
        {
            return DefaultShardOf(key, shards);
        }

        var shard = partitioner(key, shards);
        if (shard < 0 || shard >= shards)
        {
            throw new InvalidOperationException(
                $"ShardingOptions.Partitioner returned shard {shard} for key \"{key}\", outside 0..{shards - 1} (RoostHa:Sharding:Shards is {shards}): return a value from 0 to the shard count minus one, e.g. with a modulo.");
        }

        return shard;
    }

    /// <summary>The rendezvous score of <paramref name="member"/> for <paramref name="shard"/>: the higher, the more the shard wants that member.</summary>
    public static ulong Score(int shard, string member)
    {
        var hash = FnvOffset64;
        for (var i = 0; i < 4; i++)
        {
            hash ^= (byte)(shard >> (8 * i));
            hash *= FnvPrime64;
        }

        foreach (var b in Encoding.UTF8.GetBytes(member))
        {
            hash ^= b;
            hash *= FnvPrime64;
        }

        // FNV's low avalanche on short inputs would make neighbouring shards prefer the same member: finish with
        // splitmix64's mixer so every bit of the input moves every bit of the score.
        hash ^= hash >> 30;
        hash *= 0xbf58476d1ce4e5b9;
        hash ^= hash >> 27;
        hash *= 0x94d049bb133111eb;
        hash ^= hash >> 31;
        return hash;
    }

    /// <summary>The name of <paramref name="identity"/>'s membership Lease: <c>{table}-{identity}</c>, made a valid name of at most 63 characters.</summary>
    public static string MemberLeaseName(string table, string identity)
    {
        var cleaned = new StringBuilder(identity.Length);
        foreach (var c in identity.ToLowerInvariant())
        {
            cleaned.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' ? c : '-');
        }

        var name = table + "-" + cleaned.ToString().Trim('-');
        if (name.Length <= 63 && cleaned.ToString() == identity && !name.EndsWith('-'))
        {
            return name;
        }

        // Shortened or rewritten: a hash of the exact identity keeps two identities that clean up alike apart.
        var suffix = "-" + Fnv1a32(identity).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        var head = name.Length > 63 - suffix.Length ? name[..(63 - suffix.Length)] : name;
        return head.TrimEnd('-') + suffix;
    }
}
