using k8s.Models;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Fencing;
using RoostKeeper.Ha.Tests.Recovery;

namespace RoostKeeper.Ha.Tests.Fencing;

public sealed class TermFenceTests
{
    private static readonly TermStamp Ours = new(5, "ns", "lease", "replica-a");

    [Fact]
    public void An_object_stamped_by_a_newer_term_is_refused_with_both_terms()
    {
        var fence = new TermFence(Ours);
        var map = Map("6/ns/lease/replica-b");

        var e = Assert.Throws<StaleTermException>(() => fence.Check(map));

        Assert.Equal(Ours, e.Term);
        Assert.Equal(new TermStamp(6, "ns", "lease", "replica-b"), e.NewerTerm);
        Assert.Equal("ConfigMap ns/cm", e.ObjectReference);
        Assert.Contains("term 5", e.Message, StringComparison.Ordinal);
        Assert.Contains("term 6 by replica-b", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("4/ns/lease/replica-b")]
    [InlineData("5/ns/lease/replica-a")]
    public void Unstamped_older_and_own_stamps_may_be_written_and_are_stamped_with_this_term(string? stamp)
    {
        var fence = new TermFence(Ours);
        var map = Map(stamp, resourceVersion: "10");

        fence.StampForUpdate(map);

        Assert.Equal("5/ns/lease/replica-a", map.Metadata.Annotations[TermFence.DefaultAnnotation]);
    }

    [Theory]
    [InlineData("garbage", "is not a term stamp")]
    [InlineData("99999999999999999999/ns/lease/x", "is not a term stamp")]
    [InlineData("-9/ns/lease/x", "is not a term stamp")]
    [InlineData("9/other/lease/x", "is a term of Lease other/lease")]
    [InlineData("9/ns/other/x", "is a term of Lease ns/other")]
    [InlineData("5/ns/lease/intruder", "claims term 5 for intruder")]
    public void A_stamp_that_cannot_be_ordered_is_refused_and_the_object_left_unchanged(string value, string reason)
    {
        var fence = new TermFence(Ours);
        var map = Map(value, resourceVersion: "10");

        var e = Assert.Throws<InvalidTermStampException>(() => fence.StampForUpdate(map));

        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.Equal(value, e.Value);
        Assert.Equal(TermFence.DefaultAnnotation, e.Annotation);
        Assert.Contains("kubectl annotate configmap cm -n ns roostkeeper.io/term-", e.Message, StringComparison.Ordinal);
        Assert.Equal(value, map.Metadata.Annotations[TermFence.DefaultAnnotation]);
    }

    [Fact]
    public void A_hostile_stamp_of_any_length_is_reported_cut_to_the_limit()
    {
        var fence = new TermFence(Ours);
        var map = Map(new string('9', 100_000));

        var e = Assert.Throws<InvalidTermStampException>(() => fence.Check(map));

        Assert.True(e.Value.Length <= TermStamp.MaxLength + 1);
        Assert.True(e.Message.Length < 2 * TermStamp.MaxLength + 1000);
    }

    [Fact]
    public void An_update_without_a_resource_version_is_refused_because_it_would_be_unconditional()
    {
        var fence = new TermFence(Ours);
        var map = Map(null, resourceVersion: null);

        var e = Assert.Throws<InvalidOperationException>(() => fence.StampForUpdate(map));

        Assert.Contains("resourceVersion", e.Message, StringComparison.Ordinal);
        Assert.Null(map.Metadata.Annotations);
    }

    [Fact]
    public void A_create_of_an_object_that_was_read_is_refused()
    {
        var fence = new TermFence(Ours);

        Assert.Throws<InvalidOperationException>(() => fence.StampForCreate(Map(null, resourceVersion: "3")));
        Assert.Equal("5/ns/lease/replica-a", fence.StampForCreate(Map(null, resourceVersion: null)).Metadata.Annotations[TermFence.DefaultAnnotation]);
    }

    [Fact]
    public async Task Nothing_is_sent_once_the_term_token_is_cancelled()
    {
        var fence = new TermFence(Ours);
        using var term = new CancellationTokenSource();
        await term.CancelAsync();
        var sent = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fence.ReplaceAsync(Map(null, "1"), (m, _) => { sent++; return Task.FromResult(m); }, term.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fence.CreateAsync(Map(null, null), (m, _) => { sent++; return Task.FromResult(m); }, term.Token));

        Assert.Equal(0, sent);
    }

    [Fact]
    public async Task A_refused_replace_sends_nothing()
    {
        var fence = new TermFence(Ours);
        var sent = 0;

        await Assert.ThrowsAsync<StaleTermException>(() => fence.ReplaceAsync(Map("8/ns/lease/b", "1"), (m, _) => { sent++; return Task.FromResult(m); }, CancellationToken.None));

        Assert.Equal(0, sent);
    }

    [Fact]
    public void Delete_options_precondition_the_delete_on_what_was_read()
    {
        var fence = new TermFence(Ours);
        var map = Map("4/ns/lease/b", "17");
        map.Metadata.Uid = "uid-1";

        var options = fence.DeleteOptions(map);

        Assert.Equal("17", options.Preconditions.ResourceVersion);
        Assert.Equal("uid-1", options.Preconditions.Uid);
        Assert.Throws<StaleTermException>(() => fence.DeleteOptions(Map("6/ns/lease/b", "18")));
    }

    [Fact]
    public void A_stamp_kept_in_a_status_field_is_checked_the_same_way()
    {
        var fence = new TermFence(Ours);

        fence.CheckStamp("ManagedRoost ns/r", null);
        fence.CheckStamp("ManagedRoost ns/r", new TermStamp(3, "ns", "lease", "b"));
        fence.CheckValue("ManagedRoost ns/r", null);
        Assert.Throws<StaleTermException>(() => fence.CheckStamp("ManagedRoost ns/r", new TermStamp(6, "ns", "lease", "b")));
        Assert.Throws<InvalidTermStampException>(() => fence.CheckValue("ManagedRoost ns/r", "six"));
    }

    [Fact]
    public void A_fence_of_a_leadership_stamps_its_term_on_the_annotation_it_names()
    {
        var fence = TermFence.For(new Leadership("replica-a", 5, DateTimeOffset.UnixEpoch, "ns", "lease"));
        var custom = new TermFence(Ours, "example.com/term");

        Assert.Equal(Ours, fence.Stamp);
        Assert.Equal("5/ns/lease/replica-a", custom.StampForUpdate(Map(null, "1")).Metadata.Annotations["example.com/term"]);
        Assert.Throws<ArgumentException>(() => new TermFence(Ours, " "));
        Assert.Throws<ArgumentException>(() => new TermFence(Ours, new string('a', 400)));
    }

    [Fact]
    public void A_refused_write_is_logged_with_its_event_id()
    {
        var logs = new LogCollector();
        var fence = new TermFence(Ours, TermFence.DefaultAnnotation, logs.Logger);

        Assert.Throws<StaleTermException>(() => fence.Check(Map("6/ns/lease/b")));
        Assert.Throws<InvalidTermStampException>(() => fence.Check(Map("x")));

        Assert.Equal([7000, 7001], logs.Entries.Select(e => e.EventId));
    }

    private static V1ConfigMap Map(string? stamp, string? resourceVersion = "1") => new()
    {
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta
        {
            Name = "cm",
            NamespaceProperty = "ns",
            ResourceVersion = resourceVersion,
            Annotations = stamp is null ? null : new Dictionary<string, string> { [TermFence.DefaultAnnotation] = stamp },
        },
    };
}
