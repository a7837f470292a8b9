using System.Collections.Immutable;
using k8s.Models;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Sharding;

/// <summary>The leader's duties: create the table, assign targets over the live members, clear dead holders.</summary>
internal sealed partial class ShardCoordinator
{
    /// <summary>
    /// Whether the leader may write a new table now: at once when this replica never saw one (a new installation);
    /// after LeaseDuration when it saw the table vanish (deleted by hand), so holders that saw the deletion have
    /// stopped and the others' renew deadlines have passed.
    /// </summary>
    private bool MayCreateTable()
    {
        lock (_gate)
        {
            if (!_tableSeen)
            {
                return true;
            }

            if (_table is not null)
            {
                return false;
            }

            _tableMissingSince ??= _time.GetTimestamp();
            return _time.GetElapsedTime(_tableMissingSince.Value) >= _settings.LeaseDuration;
        }
    }

    private async Task CreateTableAsync(CancellationToken stop)
    {
        var table = ShardTable.Empty(_settings.Shards) with { Term = _highestTerm };
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta
            {
                Name = _settings.TableName,
                NamespaceProperty = _leases.Namespace,
                Labels = new Dictionary<string, string> { [ShardTable.Label] = _settings.TableName },
                Annotations = new Dictionary<string, string> { [ShardTable.Annotation] = table.Serialize() },
            },
            Spec = new V1LeaseSpec(),
        };
        using var attempt = new Attempt(stop, _settings.RenewDeadline, _time);
        try
        {
            ObserveTable(await _leases.CreateAsync(lease, attempt.Token).ConfigureAwait(false));
            Succeeded();
            Wake();
        }
        catch (LeaseConflictException)
        {
            await RereadTableAsync(stop).ConfigureAwait(false);
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            Failed("create", _settings.TableName, e);
        }
    }

    /// <summary>Assigns targets and clears dead holders in one CAS; returns the table written, or null when nothing was.</summary>
    private async Task<(V1Lease Lease, ShardTable Table)?> LeadAsync((V1Lease Lease, ShardTable Table) state, CancellationToken stop)
    {
        var now = _time.GetTimestamp();
        var leaseDuration = Ticks(_settings.LeaseDuration);
        var suspects = state.Table.Entries
            .Select(e => e.Holder)
            .Where(h => h is not null && h != Identity && _liveness.IsDead(h, now, leaseDuration))
            .Select(h => h!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var dead = new HashSet<string>(StringComparer.Ordinal);
        if (suspects.Count > 0)
        {
            // The evidence is confirmed by fresh reads, in this order: the table first (the clear is conditional on the
            // version read now), then each suspect's records. Anything new from a suspect restarts its count.
            if (await ConfirmDeadAsync(suspects, stop).ConfigureAwait(false) is not { } confirmed)
            {
                return null;
            }

            (state, dead) = confirmed;
        }

        var live = LiveMembers(now, leaseDuration);
        var targets = ShardAssignment.Assign(state.Table.Shards, live, state.Table.Targets());
        var cleared = new List<int>();
        var entries = ImmutableArray.CreateBuilder<ShardTableEntry>(state.Table.Shards);
        for (var s = 0; s < state.Table.Shards; s++)
        {
            var e = state.Table.Entries[s];
            var holder = e.Holder;
            if (holder is not null && dead.Contains(holder))
            {
                holder = null;
                cleared.Add(s);
            }

            entries.Add(e with { Target = targets[s], Holder = holder });
        }

        var next = state.Table with { Members = [.. live], Entries = entries.MoveToImmutable() };
        if (next.SameAs(state.Table))
        {
            return null;
        }

        if (await WriteTableAsync(state.Lease, next, "assign", stop).ConfigureAwait(false) is not { } written)
        {
            return null;
        }

        if (!next.Targets().SequenceEqual(state.Table.Targets()) || !next.Members.SequenceEqual(state.Table.Members))
        {
            ShardingLog.Assigned(_logger, Identity, Table, string.Join(",", live));
        }

        foreach (var group in cleared.GroupBy(s => state.Table.Entries[s].Holder!))
        {
            ShardingLog.ClearedDead(_logger, Identity, List(group), Table, group.Key, _settings.LeaseDuration);
            _metrics?.RecordMoves(_settings.TableName, "crash", group.Count());
        }

        return written;
    }

    /// <summary>The live members, sorted: this replica unless draining, and every member whose Lease is neither draining nor dead.</summary>
    private List<string> LiveMembers(long now, long leaseDuration)
    {
        var live = new SortedSet<string>(StringComparer.Ordinal);
        if (DrainReason is null)
        {
            live.Add(Identity);
        }

        List<(string Identity, V1Lease Lease)> members;
        lock (_gate)
        {
            members = _members.Select(m => (m.Key, m.Value)).ToList();
        }

        foreach (var (identity, lease) in members)
        {
            if (identity != Identity && !IsDraining(lease) && !_liveness.IsDead(identity, now, leaseDuration))
            {
                live.Add(identity);
            }
        }

        // Keeps the observation memory to what the watch and the table name (a table lists at most 1024 members).
        return [.. live];
    }

    private static bool IsDraining(V1Lease lease) =>
        lease.Metadata?.Annotations?.TryGetValue(ShardTable.DrainingAnnotation, out var value) == true && value == "true";

    private async Task<((V1Lease Lease, ShardTable Table) State, HashSet<string> Dead)?> ConfirmDeadAsync(List<string> suspects, CancellationToken stop)
    {
        using var attempt = new Attempt(stop, _settings.RenewDeadline, _time);
        try
        {
            var fresh = await _leases.GetAsync(_settings.TableName, attempt.Token).ConfigureAwait(false);
            if (fresh is null)
            {
                return null;
            }

            ObserveTable(fresh);
            var text = fresh.Metadata?.Annotations?.TryGetValue(ShardTable.Annotation, out var t) == true ? t : null;
            if (!ShardTable.TryParse(text, out var table, out _) || table!.Shards != _settings.Shards)
            {
                return null;
            }

            var election = await _elector.ReadForStatusAsync(attempt.Token).ConfigureAwait(false);
            foreach (var suspect in suspects)
            {
                var member = await _leases.GetAsync(ShardKeys.MemberLeaseName(_settings.TableName, suspect), attempt.Token).ConfigureAwait(false);
                var now = _time.GetTimestamp();
                if (member?.Metadata?.ResourceVersion is { } version)
                {
                    _liveness.Observe(suspect, MemberRecord, version, now);
                }
                else if (_liveness.Version(suspect, MemberRecord) is { } known && !known.StartsWith("absent", StringComparison.Ordinal))
                {
                    // Gone since the watch last saw it: a deletion is a write, and restarts the count.
                    _liveness.Observe(suspect, MemberRecord, "absent", now);
                }

                // Absent before and absent now (a leader that never needed a membership Lease) is no news.
                if (LeaseRecord.Holder(election) == suspect)
                {
                    _liveness.Observe(suspect, ElectionRecord, election!.Metadata?.ResourceVersion ?? "", now);
                }
            }

            var at = _time.GetTimestamp();
            var dead = suspects.Where(s => _liveness.IsDead(s, at, Ticks(_settings.LeaseDuration))).ToHashSet(StringComparer.Ordinal);
            Succeeded();
            return ((fresh, table), dead);
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            Failed("read", _settings.TableName, e);
            return null;
        }
    }

    /// <summary>
    /// How long a membership Lease must stay unchanged, on this leader's clock, before the leader deletes it: 20
    /// LeaseDurations, at least 5 minutes. A replica that restarts or is cut off for a while keeps its record; a
    /// crashed pod's record (a new pod has a new identity) does not pile up.
    /// </summary>
    internal TimeSpan MemberStaleAfter => TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(5).Ticks, _settings.LeaseDuration.Ticks * 20));

    /// <summary>
    /// On the leader, at most once per <see cref="MemberStaleAfter"/> / 5: deletes the membership Leases of replicas
    /// long gone. Only liveness is at stake, never safety: a stale member is already dead to
    /// <see cref="LiveMembers"/> (it gets no targets), one that still holds a shard or the election is left to the
    /// clear path, and each delete is conditional on the version judged stale, so a replica that renewed in between
    /// keeps its Lease (one deleted anyway creates it again on its next renewal, and the deletion, being a write,
    /// only restarts its count of silence).
    /// </summary>
    private async Task CollectStaleMembersAsync(ShardTable table, CancellationToken stop)
    {
        var now = _time.GetTimestamp();
        if (_lastMemberCollection is { } last && _time.GetElapsedTime(last, now) < MemberStaleAfter / 5)
        {
            return;
        }

        _lastMemberCollection = now;
        var holders = table.Entries.Select(e => e.Holder).Where(h => h is not null).ToHashSet(StringComparer.Ordinal);
        var leader = LeaseRecord.Holder(_elector.ObservedLease);
        List<(string Identity, V1Lease Lease)> stale;
        lock (_gate)
        {
            stale = _members
                .Where(m => m.Key != Identity && m.Key != leader && !holders.Contains(m.Key) && _liveness.UnchangedFor(m.Key, now) >= Ticks(MemberStaleAfter))
                .Select(m => (m.Key, m.Value))
                .ToList();
        }

        foreach (var (identity, lease) in stale)
        {
            var name = lease.Metadata?.Name ?? ShardKeys.MemberLeaseName(_settings.TableName, identity);
            using var attempt = new Attempt(stop, _settings.RenewDeadline, _time);
            try
            {
                await _leases.DeleteAsync(name, lease.Metadata?.ResourceVersion, attempt.Token).ConfigureAwait(false);
                ShardingLog.StaleMemberDeleted(_logger, Identity, name, identity, MemberStaleAfter);
            }
            catch (LeaseConflictException)
            {
                // Renewed since it was judged stale: not ours to delete.
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                // Without delete on Leases (or with the API away) the record stays; it is judged dead, never trusted.
                Failed("delete", name, e);
            }
        }
    }
}
