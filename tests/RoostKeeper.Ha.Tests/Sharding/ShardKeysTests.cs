using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Tests.Sharding;

public sealed class ShardKeysTests
{
    [Theory]
    [InlineData("", 0x811c9dc5u)]
    [InlineData("a", 0xe40c292cu)]
    [InlineData("foobar", 0xbf9cf968u)]
    public void Fnv1a_matches_the_published_test_vectors(string text, uint expected) => Assert.Equal(expected, ShardKeys.Fnv1a32(text));

    [Fact]
    public void Long_and_non_ascii_keys_hash_their_utf8_bytes()
    {
        var key = new string('é', 300);

        Assert.Equal(ShardKeys.Fnv1a32(key), ShardKeys.Fnv1a32(new string('é', 300)));
        Assert.NotEqual(ShardKeys.Fnv1a32(key), ShardKeys.Fnv1a32(new string('e', 300)));
    }

    [Fact]
    public void The_default_partitioner_is_fnv1a_modulo_the_shard_count()
    {
        Assert.Equal((int)(0xbf9cf968u % 16), ShardKeys.ShardOf("foobar", 16, null));
    }

    [Fact]
    public void Keys_spread_over_every_shard()
    {
        var counts = new int[16];
        for (var i = 0; i < 3000; i++)
        {
            counts[ShardKeys.ShardOf($"default/object-{i}", 16, null)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 100, 300));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(16)]
    public void A_partitioner_answering_out_of_range_is_refused_naming_key_and_value(int answer)
    {
        var e = Assert.Throws<InvalidOperationException>(() => ShardKeys.ShardOf("ns/name", 16, (_, _) => answer));

        Assert.Contains($"returned shard {answer} for key \"ns/name\", outside 0..15", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_custom_partitioner_is_used()
    {
        Assert.Equal(3, ShardKeys.ShardOf("anything", 16, (key, shards) => 3));
    }

    [Theory]
    [InlineData("controller-shards", "replica-a", "controller-shards-replica-a")]
    public void A_plain_identity_names_its_membership_lease_directly(string table, string identity, string expected) =>
        Assert.Equal(expected, ShardKeys.MemberLeaseName(table, identity));

    [Theory]
    [InlineData("roost-keeper-7d9f-abcde_1a2b3c4d")]
    [InlineData("Replica.A")]
    [InlineData("a-very-long-pod-name-that-goes-on-and-on-and-on-and-on-for-ever-and-ever-000")]
    public void Other_identities_get_a_valid_hashed_name_of_at_most_63_characters(string identity)
    {
        var name = ShardKeys.MemberLeaseName("controller-shards", identity);

        Assert.True(name.Length <= 63, name);
        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name);
        Assert.StartsWith("controller-shards-", name, StringComparison.Ordinal);
        Assert.NotEqual(name, ShardKeys.MemberLeaseName("controller-shards", identity + "x"));
    }
}
