using k8s;
using k8s.Models;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Sharding;

/// <summary>Membership: this replica's Lease renewals, and the list+watch of the table's Leases feeding the observations.</summary>
internal sealed partial class ShardCoordinator
{
    private TaskCompletionSource _renewNow = NewSignal();
    private V1Lease? _memberLease;

    /// <summary>Renews the membership Lease every RetryPeriod, except while this replica leads (its election renewals are its liveness).</summary>
    private async Task RenewLoopAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var wake = _renewNow.Task;
                if (!_elector.IsLeader || DrainReason is not null)
                {
                    await RenewMembershipAsync(stop).ConfigureAwait(false);
                }

                await ElectionTiming.WaitAsync(wake, _settings.RetryPeriod, _time, stop).ConfigureAwait(false);
                if (wake.IsCompleted)
                {
                    _renewNow = NewSignal();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    internal async Task RenewMembershipAsync(CancellationToken stop)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var basis = _memberLease;
            var now = _time.GetUtcNow().UtcDateTime;
            var desired = basis is null
                ? new V1Lease
                {
                    Metadata = new V1ObjectMeta { Name = _settings.MemberLeaseName, NamespaceProperty = _leases.Namespace },
                    Spec = new V1LeaseSpec { AcquireTime = now },
                }
                : LeaseRecord.Copy(basis);
            desired.Metadata.Labels ??= new Dictionary<string, string>();
            desired.Metadata.Labels[ShardTable.Label] = _settings.TableName;
            desired.Metadata.Annotations ??= new Dictionary<string, string>();
            if (DrainReason is not null)
            {
                desired.Metadata.Annotations[ShardTable.DrainingAnnotation] = "true";
            }
            else
            {
                desired.Metadata.Annotations.Remove(ShardTable.DrainingAnnotation);
            }

            desired.Spec ??= new V1LeaseSpec();
            desired.Spec.HolderIdentity = Identity;
            desired.Spec.LeaseDurationSeconds = _settings.LeaseDurationSeconds;
            desired.Spec.RenewTime = now;
            using var call = new Attempt(stop, _settings.RenewDeadline, _time);
            var sent = _time.GetTimestamp();
            try
            {
                var written = basis is null
                    ? await _leases.CreateAsync(desired, call.Token).ConfigureAwait(false)
                    : await _leases.ReplaceAsync(desired, call.Token).ConfigureAwait(false);
                _memberLease = written;
                if (sent > Interlocked.Read(ref _membershipSent))
                {
                    Interlocked.Exchange(ref _membershipSent, sent);
                }

                Rearm();
                Succeeded();
                Wake();
                return;
            }
            catch (LeaseConflictException)
            {
                // Someone edited our Lease (or it exists from an earlier process with our identity): renew the fresh version.
                try
                {
                    _memberLease = await _leases.GetAsync(_settings.MemberLeaseName, call.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    Failed("read", _settings.MemberLeaseName, e);
                    return;
                }
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                Failed("renew", _settings.MemberLeaseName, e);
                return;
            }
        }
    }

    /// <summary>Deletes the membership Lease on a graceful leave (best effort: an undeleted one just expires).</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        using var call = new Attempt(cancellationToken, _settings.RenewDeadline, _time);
        try
        {
            await _leases.DeleteAsync(_settings.MemberLeaseName, resourceVersion: null, call.Token).ConfigureAwait(false);
            ShardingLog.Left(_logger, Identity, Table);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Failed("delete", _settings.MemberLeaseName, e);
        }
    }

    /// <summary>The election Lease as the elector last observed it: a change while X holds it is a liveness record of X.</summary>
    private void ObserveElection()
    {
        if (_elector.ObservedLease is { } election && LeaseRecord.Holder(election) is { } holder)
        {
            _liveness.Observe(holder, ElectionRecord, election.Metadata?.ResourceVersion ?? "", _time.GetTimestamp());
        }

        if (_elector.LastRenewalSentAt is { } sent && sent > Interlocked.Read(ref _electionSent))
        {
            Interlocked.Exchange(ref _electionSent, sent);
            Rearm();
        }
    }

    /// <summary>Lists, then watches, the table's Leases (the table and every membership Lease) until <paramref name="stop"/>.</summary>
    private async Task WatchAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var (items, version) = await _leases.ListAsync(_settings.Selector, stop).ConfigureAwait(false);
                ApplyList(items);
                while (!stop.IsCancellationRequested)
                {
                    await foreach (var (type, lease) in _leases.WatchAsync(_settings.Selector, version, stop).ConfigureAwait(false))
                    {
                        version = lease.Metadata?.ResourceVersion ?? version;
                        if (type != WatchEventType.Bookmark)
                        {
                            Apply(type, lease);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (LeaseWatchExpiredException)
            {
                // 410 Gone: list again at once.
            }
            catch (Exception e)
            {
                ShardingLog.WatchFailed(_logger, Table, Identity, KubernetesApi.KubernetesApiErrors.Describe(e));
                try
                {
                    await Task.Delay(_settings.RetryPeriod, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void ApplyList(IReadOnlyList<V1Lease> items)
    {
        var now = _time.GetTimestamp();
        var present = new HashSet<string>(StringComparer.Ordinal);
        V1Lease? table = null;
        foreach (var lease in items)
        {
            if (lease.Metadata?.Name == _settings.TableName)
            {
                table = lease;
            }
            else if (LeaseRecord.Holder(lease) is { } identity)
            {
                present.Add(identity);
                Apply(WatchEventType.Modified, lease);
            }
        }

        lock (_gate)
        {
            foreach (var gone in _members.Keys.Where(k => !present.Contains(k)).ToList())
            {
                _members.Remove(gone);
                _liveness.Observe(gone, MemberRecord, "absent@" + now, now);
            }
        }

        if (table is not null)
        {
            ObserveTable(table);
        }
        else
        {
            TableDeleted();
        }

        Wake();
    }

    private void Apply(WatchEventType type, V1Lease lease)
    {
        var now = _time.GetTimestamp();
        if (lease.Metadata?.Name == _settings.TableName)
        {
            if (type == WatchEventType.Deleted)
            {
                TableDeleted();
            }
            else
            {
                ObserveTable(lease);
            }
        }
        else if (LeaseRecord.Holder(lease) is { } identity)
        {
            lock (_gate)
            {
                if (type == WatchEventType.Deleted)
                {
                    _members.Remove(identity);
                    _liveness.Observe(identity, MemberRecord, "absent@" + lease.Metadata?.ResourceVersion, now);
                }
                else
                {
                    _members[identity] = lease;
                    _liveness.Observe(identity, MemberRecord, lease.Metadata?.ResourceVersion ?? "", now);
                }
            }
        }

        Wake();
    }

    private void TableDeleted()
    {
        lock (_gate)
        {
            if (_table is not null)
            {
                _table = null;
                _tableMissingSince = _time.GetTimestamp();
            }
        }
    }
}
