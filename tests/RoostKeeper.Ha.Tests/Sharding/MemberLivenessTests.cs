using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Tests.Sharding;

public sealed class MemberLivenessTests
{
    private const long Duration = 15;

    [Fact]
    public void A_member_is_dead_only_after_its_records_were_unchanged_for_the_lease_duration_since_first_seen()
    {
        var liveness = new MemberLiveness();
        liveness.Observe("x", "member", "v1", now: 100);

        Assert.False(liveness.IsDead("x", 114, Duration));
        Assert.True(liveness.IsDead("x", 115, Duration));
    }

    [Fact]
    public void Any_new_version_of_any_record_restarts_the_count()
    {
        var liveness = new MemberLiveness();
        liveness.Observe("x", "member", "v1", now: 0);
        liveness.Observe("x", "election", "e1", now: 10);
        Assert.False(liveness.IsDead("x", 20, Duration));

        Assert.False(liveness.Observe("x", "member", "v1", now: 20)); // the same version: no change
        Assert.True(liveness.IsDead("x", 25, Duration));
        Assert.True(liveness.Observe("x", "election", "e2", now: 25));
        Assert.False(liveness.IsDead("x", 39, Duration));
    }

    [Fact]
    public void A_member_never_seen_starts_counting_when_first_asked_about()
    {
        var liveness = new MemberLiveness();

        Assert.False(liveness.IsDead("ghost", 1000, Duration));
        Assert.False(liveness.IsDead("ghost", 1014, Duration));
        Assert.True(liveness.IsDead("ghost", 1015, Duration));
    }

    [Fact]
    public void Forgotten_members_count_again_from_scratch()
    {
        var liveness = new MemberLiveness();
        liveness.Observe("x", "member", "v1", now: 0);
        liveness.Retain(new HashSet<string>());

        Assert.Null(liveness.UnchangedFor("x", 100));
        Assert.False(liveness.IsDead("x", 100, Duration));
    }
}
