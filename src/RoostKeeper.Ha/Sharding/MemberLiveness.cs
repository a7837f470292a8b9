namespace RoostKeeper.Ha.Sharding;

/// <summary>
/// The observation rule for judging a replica dead, on this replica's monotonic clock only (no remote timestamp is
/// ever read): replica X is dead when every liveness record of X (its membership Lease; the election Lease while X
/// holds it) has been seen unchanged for LeaseDuration since this replica first saw that version. Any new version of
/// any of X's records restarts the count. Observing late only makes the count start later, so a slow watch delays a
/// clear, never hastens it. A replica of which no record was ever seen (a holder whose membership Lease is gone)
/// starts counting when it is first asked about.
/// </summary>
internal sealed class MemberLiveness
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);

    /// <summary>Records that <paramref name="identity"/>'s record <paramref name="record"/> is at <paramref name="version"/> at <paramref name="now"/>.</summary>
    /// <returns>True when this is a change (or the first sighting) of that record.</returns>
    public bool Observe(string identity, string record, string version, long now)
    {
        lock (_gate)
        {
            if (!_members.TryGetValue(identity, out var member))
            {
                member = _members[identity] = new Member(now);
            }

            if (member.Versions.TryGetValue(record, out var seen) && seen == version)
            {
                return false;
            }

            member.Versions[record] = version;
            member.LastChange = now;
            return true;
        }
    }

    /// <summary>The version of <paramref name="identity"/>'s <paramref name="record"/> last seen, if any.</summary>
    public string? Version(string identity, string record)
    {
        lock (_gate)
        {
            return _members.TryGetValue(identity, out var member) && member.Versions.TryGetValue(record, out var v) ? v : null;
        }
    }

    /// <summary>
    /// Whether <paramref name="identity"/> is dead at <paramref name="now"/>: nothing of it changed for
    /// <paramref name="leaseDuration"/> (ticks of the same clock) since this replica first saw its current records.
    /// Never seen: the count starts now (false).
    /// </summary>
    public bool IsDead(string identity, long now, long leaseDuration)
    {
        lock (_gate)
        {
            if (!_members.TryGetValue(identity, out var member))
            {
                _members[identity] = new Member(now);
                return false;
            }

            return now - member.LastChange >= leaseDuration;
        }
    }

    /// <summary>How long <paramref name="identity"/>'s records have been unchanged (ticks), or null when never seen.</summary>
    public long? UnchangedFor(string identity, long now)
    {
        lock (_gate)
        {
            return _members.TryGetValue(identity, out var member) ? now - member.LastChange : null;
        }
    }

    /// <summary>Forgets every replica not in <paramref name="keep"/> (bounds the memory to what the table and watch name).</summary>
    public void Retain(IReadOnlySet<string> keep)
    {
        lock (_gate)
        {
            foreach (var gone in _members.Keys.Where(k => !keep.Contains(k)).ToList())
            {
                _members.Remove(gone);
            }
        }
    }

    private sealed class Member(long now)
    {
        public Dictionary<string, string> Versions { get; } = new(StringComparer.Ordinal);

        public long LastChange { get; set; } = now;
    }
}
