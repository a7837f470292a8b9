using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Fencing;

namespace RoostKeeper.Ha.Tests.Fencing;

public sealed class TermStampTests
{
    [Fact]
    public void A_stamp_round_trips_through_its_annotation_value_with_a_holder_that_contains_slashes()
    {
        var stamp = new TermStamp(7, "roost-system", "roost-keeper", "node/a/pod-1");

        Assert.Equal("7/roost-system/roost-keeper/node/a/pod-1", stamp.ToString());
        Assert.True(TermStamp.TryParse(stamp.ToString(), out var parsed));
        Assert.Equal(stamp, parsed);
        Assert.Equal("node/a/pod-1", parsed.Holder);
    }

    [Fact]
    public void The_stamp_of_a_leadership_is_its_lease_term_and_holder()
    {
        var leadership = new Leadership("replica-a", 12, DateTimeOffset.UnixEpoch, "ns", "lease");

        var stamp = TermStamp.From(leadership);

        Assert.Equal(new TermStamp(12, "ns", "lease", "replica-a"), stamp);
    }

    [Theory]
    [InlineData("")]
    [InlineData("7")]
    [InlineData("7/ns/lease")]
    [InlineData("7/ns/lease/")]
    [InlineData("/ns/lease/a")]
    [InlineData("7//lease/a")]
    [InlineData("7/ns//a")]
    [InlineData("+7/ns/lease/a")]
    [InlineData("-7/ns/lease/a")]
    [InlineData(" 7/ns/lease/a")]
    [InlineData("7 /ns/lease/a")]
    [InlineData("0x7/ns/lease/a")]
    [InlineData("7.0/ns/lease/a")]
    [InlineData("٧/ns/lease/a")]
    [InlineData("99999999999999999999/ns/lease/a")]
    [InlineData("{\"term\":7}")]
    public void Values_that_are_not_stamps_do_not_parse(string value)
    {
        Assert.False(TermStamp.TryParse(value, out var stamp));
        Assert.Null(stamp);
    }

    [Fact]
    public void A_value_longer_than_the_limit_does_not_parse()
    {
        var value = "7/ns/lease/" + new string('a', TermStamp.MaxLength);

        Assert.False(TermStamp.TryParse(value, out _));
    }

    [Fact]
    public void Invalid_parts_are_refused_when_a_stamp_is_made()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TermStamp(-1, "ns", "lease", "a"));
        Assert.Throws<ArgumentException>(() => new TermStamp(1, "", "lease", "a"));
        Assert.Throws<ArgumentException>(() => new TermStamp(1, "ns", "le/ase", "a"));
        Assert.Throws<ArgumentException>(() => new TermStamp(1, "ns", "lease", ""));
        Assert.Throws<ArgumentException>(() => new TermStamp(1, "ns", "lease", new string('a', TermStamp.MaxLength)));
    }
}
