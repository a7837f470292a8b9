using System.Diagnostics;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Election;

/// <summary>Stepping down: the one path out of every term, and the release or hand-over it may write.</summary>
internal sealed partial class LeaseElector
{
    /// <summary>
    /// The one step-down. In order: the leader token is cancelled (work stops before anyone is told), the
    /// replica stops being leader, OnStoppedLeading runs once, the Lease is released when that is safe,
    /// a pending failover is completed, and the work is awaited before the replica competes again. Each
    /// step runs even if an earlier one threw.
    /// </summary>
    private async Task StepDownAsync(LeaderTerm term, StepDown why, CancellationToken stop)
    {
        var handedOver = false;
        var drained = false;
        try
        {
            if (await term.EndAsync().ConfigureAwait(false) is { } tokenCallbackError)
            {
                ElectionLog.CallbackFailed(_logger, "leader token", Identity, _lease, tokenCallbackError);
            }

            Interlocked.CompareExchange(ref _term, null, term);
            if (why is StepDown.Stopping or StepDown.Failover)
            {
                ElectionLog.StoppedLeading(_logger, Identity, _lease, Describe(why));
            }
            else
            {
                ElectionLog.SteppedDown(_logger, Identity, _lease, Describe(why));
            }

            var work = term.Work;
            if (why is StepDown.Stopping or StepDown.Failover)
            {
                // Bounded: a stopping process must not hang. Unstopped work keeps the Lease unreleased.
                drained = work is null || await work.WaitAsync(_settings.StopLeadingTimeout, _time, CancellationToken.None).ConfigureAwait(false);
                work?.NotifyStopped();
                if (!drained)
                {
                    ElectionLog.LeaderWorkNotStopping(_logger, Identity, _lease, _settings.StopLeadingTimeout);
                }
            }
            else
            {
                // The term is already over (or may be): tell the application now, then wait for its work.
                work?.NotifyStopped();
                if (why == StepDown.WorkFailed && work is not null)
                {
                    await work.WaitUntilDrainedAsync(_settings.StopLeadingTimeout, _time, stop).ConfigureAwait(false);
                    drained = work.Completion.IsCompleted;
                }
            }

            if (why is StepDown.Failover or StepDown.WorkFailed)
            {
                // Let another replica win the next term: they count LeaseDuration from their observation of
                // our last write; we stay out a RetryPeriod longer, even if our release did not land.
                Interlocked.Exchange(ref _holdOffUntil, _time.GetTimestamp() + ToTicks(_settings.LeaseDuration + _settings.RetryPeriod));
            }

            var release = drained && why switch
            {
                StepDown.Stopping => _settings.ReleaseOnCancel,
                StepDown.Failover or StepDown.WorkFailed => true,
                _ => false,
            };
            var successor = why == StepDown.Failover ? term.Failover?.Successor : null;
            handedOver = release && await ReleaseAsync(term, successor).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            ElectionLog.CallbackFailed(_logger, "step-down", Identity, _lease, e);
        }
        finally
        {
            Interlocked.CompareExchange(ref _term, null, term);
            term.Work?.NotifyStopped();
            term.CompleteFailover(handedOver);
            if (term.Work is { } work && !stop.IsCancellationRequested)
            {
                // Never compete while the previous term's work may still run in this process.
                await work.WaitUntilDrainedAsync(_settings.StopLeadingTimeout, _time, stop).ConfigureAwait(false);
            }

            if (term.Work?.Completion.IsCompleted != false)
            {
                term.Dispose();
            }
        }
    }

    /// <summary>Writes the release (or hand-over) record on the term's last version; never throws.</summary>
    private async Task<bool> ReleaseAsync(LeaderTerm term, string? successor)
    {
        using var activity = HaTelemetry.ActivitySource.StartActivity(HaActivities.LeaseRelease);
        activity?.SetTag("lease", _lease).SetTag("identity", Identity).SetTag("successor", successor);
        using var timeout = new CancellationTokenSource(ElectionTiming.Clamp(_settings.StopLeadingTimeout), _time);
        var current = term.Current;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var now = _time.GetUtcNow().UtcDateTime;
            var desired = successor is null
                ? LeaseRecord.ForRelease(current, now)
                : LeaseRecord.ForHandOver(current, successor, _settings.HandOverGraceSeconds, now);
            try
            {
                _watch.ObserveResponse(await _client.ReplaceAsync(desired, timeout.Token).ConfigureAwait(false));
                if (successor is null)
                {
                    ElectionLog.Released(_logger, Identity, _lease);
                }
                else
                {
                    ElectionLog.HandedOver(_logger, Identity, _lease, successor);
                }

                return true;
            }
            catch (LeaseConflictException)
            {
                var (ok, fresh) = await _watch.ReadAsync("read", timeout.Token).ConfigureAwait(false);
                if (!ok || !LeaseRecord.IsTermOf(fresh, Identity, term.Number))
                {
                    return false; // Unknown, or no longer ours: nothing to release.
                }

                current = fresh!;
            }
            catch (Exception e)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                _watch.ReportFailure("release", e);
                return false;
            }
        }

        return false;
    }

    private static string Describe(StepDown why) => why switch
    {
        StepDown.Stopping => "stopping",
        StepDown.Failover => "handing over on request",
        StepDown.Lost => "another replica holds the Lease",
        StepDown.WorkFailed => "leader work failed",
        StepDown.Failed => "the renew loop failed unexpectedly",
        _ => "could not renew before the renew deadline",
    };
}
