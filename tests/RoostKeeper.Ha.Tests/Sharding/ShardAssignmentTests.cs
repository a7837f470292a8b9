using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Tests.Sharding;

public sealed class ShardAssignmentTests
{
    private static string[] Members(int count, int seed = 0) =>
        Enumerable.Range(0, count).Select(i => $"controller-{seed}-{i}_{(i * 2654435761u + (uint)seed):x8}").ToArray();

    private static Dictionary<string, int> Loads(string?[] targets) =>
        targets.GroupBy(t => t!).ToDictionary(g => g.Key, g => g.Count());

    private static int Moves(string?[] before, string?[] after) => before.Zip(after).Count(p => p.First is not null && p.First != p.Second);

    [Fact]
    public void Three_to_four_replicas_with_16_shards_moves_exactly_4()
    {
        var three = Members(3);
        var first = ShardAssignment.Assign(16, three, new string?[16]);
        var four = ShardAssignment.Assign(16, [.. three, "controller-new_0000abcd"], first);

        Assert.Equal([5, 5, 6], Loads(first).Values.Order());
        Assert.All(Loads(four).Values, load => Assert.Equal(4, load));
        Assert.Equal(4, Moves(first, four));
        Assert.All(first.Zip(four).Where(p => p.First != p.Second), p => Assert.Equal("controller-new_0000abcd", p.Second));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(1024)]
    public void Balance_is_within_one_for_every_member_count(int shards)
    {
        for (var r = 1; r <= 40; r++)
        {
            var members = Members(r, seed: shards);
            var targets = ShardAssignment.Assign(shards, members, new string?[shards]);
            var loads = members.Select(m => targets.Count(t => t == m)).ToArray();
            Assert.True(loads.Max() - loads.Min() <= 1, $"{shards} shards over {r}: loads {string.Join(",", loads)}");
            Assert.All(targets, t => Assert.Contains(t, members));
        }
    }

    [Fact]
    public void Every_change_of_membership_keeps_balance_and_moves_only_what_quotas_force()
    {
        // A random walk of joins and leaves; after each step: balance within 1, and the moves are exactly the
        // minimum: every shard whose target stays a member and whose member is not over its new quota stays.
        var random = new Random(23);
        const int shards = 16;
        var live = Members(3, seed: 99).ToList();
        var targets = ShardAssignment.Assign(shards, live, new string?[shards]);
        var next = 0;
        for (var step = 0; step < 500; step++)
        {
            if (live.Count > 1 && (random.Next(2) == 0 || live.Count > 20))
            {
                live.RemoveAt(random.Next(live.Count));
            }
            else
            {
                live.Add($"joiner-{next++}");
            }

            var after = ShardAssignment.Assign(shards, live, targets);
            var loads = live.Select(m => after.Count(t => t == m)).ToArray();
            Assert.True(loads.Max() - loads.Min() <= 1, $"step {step}: loads {string.Join(",", loads)}");

            // The fewest moves any balanced assignment needs: shards on members that left, plus each member's
            // excess over the largest quota it could be given.
            var r = live.Count;
            var floor = shards / r;
            var extras = shards % r;
            var before = live.Select(m => targets.Count(t => t == m)).OrderDescending().ToArray();
            var kept = before.Select((count, i) => Math.Min(count, floor + (i < extras ? 1 : 0))).Sum();
            var minimum = shards - kept;
            var moved = targets.Zip(after).Count(p => p.First != p.Second);
            Assert.Equal(minimum, moved);
            targets = after;
        }
    }

    [Fact]
    public void Same_input_gives_the_same_targets_whatever_the_member_order()
    {
        var members = Members(5);
        var current = ShardAssignment.Assign(32, members.Take(3), new string?[32]);

        var a = ShardAssignment.Assign(32, members, current);
        var b = ShardAssignment.Assign(32, members.Reverse(), current);
        var c = ShardAssignment.Assign(32, [.. members, members[0]], current);

        Assert.Equal(a, b);
        Assert.Equal(a, c);
    }

    [Fact]
    public void An_unchanged_membership_writes_nothing_new()
    {
        var members = Members(4);
        var first = ShardAssignment.Assign(16, members, new string?[16]);

        Assert.Equal(first, ShardAssignment.Assign(16, members, first));
    }

    [Fact]
    public void No_members_leaves_every_shard_without_a_target()
    {
        Assert.All(ShardAssignment.Assign(8, [], ["a", "b", null, "c", "a", "b", "c", "a"]), Assert.Null);
    }

    [Fact]
    public void Targets_naming_departed_members_are_reassigned()
    {
        var targets = ShardAssignment.Assign(6, ["a", "b"], ["gone", "gone", "gone", "a", "b", "b"]);

        Assert.Equal("a", targets[3]);
        Assert.DoesNotContain("gone", targets);
        Assert.Equal(3, targets.Count(t => t == "a"));
    }

    [Fact]
    public void The_fresh_spread_is_not_by_name_order()
    {
        // Rendezvous: which member gets which shard depends on the hash, so the first member by name does not get
        // the first shards (a stable, but not positional, spread).
        var targets = ShardAssignment.Assign(16, ["a", "b", "c", "d"], new string?[16]);

        Assert.NotEqual(["a", "a", "a", "a"], targets.Take(4));
        Assert.True(targets.Distinct().Count() == 4);
    }
}
