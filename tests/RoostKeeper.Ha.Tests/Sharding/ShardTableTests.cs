using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Tests.Sharding;

public sealed class ShardTableTests
{
    [Fact]
    public void A_table_round_trips_through_its_annotation()
    {
        var table = new ShardTable(3, 17, ["a", "b"], [new("a", "a", 15), new("b", null, 9), new(null, null, 0)]);

        Assert.True(ShardTable.TryParse(table.Serialize(), out var parsed, out var problem), problem);
        Assert.True(table.SameAs(parsed!));
    }

    [Fact]
    public void The_wire_format_is_the_documented_one()
    {
        var text = new ShardTable(1, 2, ["a"], [new("a", "a", 2)]).Serialize();

        Assert.Equal("""{"shards":1,"term":2,"members":["a"],"entries":[{"target":"a","holder":"a","term":2}]}""", text);
    }

    public static TheoryData<string?, string> Hostile => new()
    {
        { null, "no roostkeeper.io/shard-table annotation" },
        { "{not json", "not valid JSON" },
        { "[1,2]", "a JSON Array, not an object" },
        { """{"shards":2,"term":1,"members":[],"entries":[{"term":0}]}""", "1 entries for 2 shards" },
        { """{"shards":0,"term":1,"members":[],"entries":[]}""", "\"shards\" is 0, outside 1..1024" },
        { """{"shards":5000,"term":1,"members":[],"entries":[]}""", "\"shards\" is 5000, outside 1..1024" },
        { """{"shards":1,"term":-1,"members":[],"entries":[{"term":0}]}""", "\"term\" is -1" },
        { """{"shards":1,"term":3,"members":[],"entries":[{"term":4}]}""", "entry 0: \"term\" is 4, outside 0..3" },
        { """{"shards":1,"term":3,"members":[7],"entries":[{"term":0}]}""", "a member is not an identity" },
        { """{"shards":1,"term":3,"members":[],"entries":[{"term":0,"holder":""}]}""", "entry 0: a holder is not an identity" },
        { """{"shards":1,"term":3,"members":[],"entries":[{"term":0,"holder":{"a":{"b":{"c":{}}}}}]}""", "not valid JSON" },
        { """{"shards":1.5,"term":3,"members":[],"entries":[]}""", "\"shards\" is missing or not an integer" },
        { """{"shards":1,"term":99999999999999999999999,"members":[],"entries":[]}""", "\"term\" is missing or not an integer" },
        { """{"shards":1,"term":1,"entries":[]}""", "no \"members\" array" },
        { """{"shards":1,"term":1,"members":[]}""", "no \"entries\" array" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_hostile_table_is_refused_with_the_reason(string? text, string reason)
    {
        Assert.False(ShardTable.TryParse(text, out var table, out var problem));
        Assert.Null(table);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_annotation_is_refused_before_it_is_parsed()
    {
        var huge = """{"shards":1,"term":1,"members":[""" + string.Join(",", Enumerable.Repeat("\"aaaaaaaaaaaaaaaaaaaaaaaa\"", 20_000)) + "],\"entries\":[{\"term\":0}]}";

        Assert.False(ShardTable.TryParse(huge, out _, out var problem));
        Assert.Contains("more than the 262144 a table can take", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_members_are_refused()
    {
        var many = """{"shards":1,"term":1,"members":[""" + string.Join(",", Enumerable.Range(0, 1025).Select(i => $"\"m{i}\"")) + "],\"entries\":[{\"term\":0}]}";

        Assert.False(ShardTable.TryParse(many, out _, out var problem));
        Assert.Contains("1025 members, more than 1024", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_identity_longer_than_a_name_is_refused()
    {
        var text = """{"shards":1,"term":1,"members":[],"entries":[{"term":0,"target":"%"}]}""".Replace("%", new string('x', 254), StringComparison.Ordinal);

        Assert.False(ShardTable.TryParse(text, out _, out var problem));
        Assert.Contains("entry 0: a target is not an identity", problem, StringComparison.Ordinal);
    }
}
