using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Health;

/// <summary>
/// Hands leadership away from a leader that stays Unhealthy, through the elector's hand-over (<c>HaManager.TriggerFailoverAsync</c>),
/// so that the fleet settles instead of circling:
/// <list type="bullet">
/// <item>Only to a replica that is alive: its health Lease renewed within two monitor Intervals. Healthy before
/// Degraded, then the freshest record first.</item>
/// <item>Never to a replica that handed over within <see cref="HealthOptions.HandOverWindow"/>: the Lease
/// remembers who handed over (<see cref="LeaseRecord.HandOversAnnotation"/>), so when the failure follows
/// leadership (a dependency only the leader uses), each replica gets one turn, and after every replica failed
/// in turn leadership stays where it is (declined, logged once) until the window passes.</item>
/// <item>A budget with back-off: at most <see cref="HealthOptions.MaxHandOvers"/> hand-overs in the
/// window, fleet-wide, and the k-th one in the window waits StepDownAfter × 2^k of continuous ill health.</item>
/// <item>Not at all when no other replica is known to be better: if every replica is unhealthy (the API server
/// is slow for all), handing over would only move the problem around.</item>
/// </list>
/// The memory and the budget count wall-clock timestamps written by earlier leaders (whole seconds): clock skew
/// between replicas shifts the window by the skew, which only matters for windows of a few seconds.
/// </summary>
internal sealed class StepDownPolicy(ILeaderElector elector, ReplicaHealthLeases peers, HealthOptions options, TimeProvider time, ILogger logger, HealthMetrics? metrics = null)
{
    private readonly TimeSpan _after = options.StepDownAfter ?? options.Interval;
    private readonly TimeSpan _freshness = options.Interval * 2;
    private long? _unhealthySince;
    private Decline? _declineLogged;
    private int _declined;
    private int _handOvers;

    /// <summary>Why a leader that was due to hand over kept leading.</summary>
    public enum Decline
    {
        /// <summary>No other replica published Healthy or Degraded recently.</summary>
        NoSuccessor,

        /// <summary>Every other healthy replica already handed over within the window.</summary>
        AllTried,

        /// <summary>The window's hand-over budget is spent.</summary>
        Budget,
    }

    /// <summary>Rounds in which the leader was due to step down but kept leading.</summary>
    public int Declined => Volatile.Read(ref _declined);

    /// <summary>Why the leader last declined (null before it did).</summary>
    public Decline? LastDecline { get; private set; }

    /// <summary>Hand-overs this policy made.</summary>
    public int HandOvers => Volatile.Read(ref _handOvers);

    /// <summary>Hand-overs still allowed in the window, by this replica's view of the Lease.</summary>
    public int BudgetRemaining => Math.Max(0, options.MaxHandOvers - Recent(time.GetUtcNow()).Count);

    public async Task EvaluateAsync(HealthReport report, CancellationToken cancellationToken)
    {
        if (!elector.IsLeader || report.Status != HealthStatus.Unhealthy)
        {
            _unhealthySince = null;
            _declineLogged = null;
            return;
        }

        var now = time.GetTimestamp();
        _unhealthySince ??= now;
        var unhealthyFor = time.GetElapsedTime(_unhealthySince.Value, now);
        var recent = Recent(time.GetUtcNow());
        if (unhealthyFor < Backoff(recent.Count))
        {
            return;
        }

        if (recent.Count >= options.MaxHandOvers)
        {
            Declining(Decline.Budget, unhealthyFor, recent);
            return;
        }

        IReadOnlyList<PeerHealth> others;
        try
        {
            others = await peers.ReadPeersAsync(_freshness, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (KubernetesApiErrors.IsApiOrNetwork(e) && !cancellationToken.IsCancellationRequested)
        {
            // A leader that cannot read the API cannot renew either: the elector steps it down on its own.
            HealthLog.PeersUnreadable(logger, elector.Settings.LeaseName, KubernetesApiErrors.Describe(e), e);
            return;
        }

        var tried = recent.Select(h => h.From).ToHashSet(StringComparer.Ordinal);
        var alive = others.Where(p => p.Fresh && p.Status is HealthStatus.Healthy or HealthStatus.Degraded && p.Identity != elector.Identity).ToList();
        var successor = alive
            .Where(p => !tried.Contains(p.Identity))
            .OrderByDescending(p => p.Status)
            .ThenByDescending(p => p.RenewedAt)
            .ThenBy(p => p.Identity, StringComparer.Ordinal)
            .FirstOrDefault();
        if (successor is null)
        {
            Declining(alive.Count > 0 ? Decline.AllTried : Decline.NoSuccessor, unhealthyFor, recent);
            return;
        }

        HealthLog.SteppingDown(logger, elector.Identity, unhealthyFor, successor.Identity, successor.Status);
        if (await elector.RequestFailoverAsync(successor.Identity, cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _handOvers);
            metrics?.HandedOver(elector.Settings.LeaseName, elector.Identity);
        }

        _unhealthySince = null;
        _declineLogged = null;
    }

    /// <summary>How long the leader must have been Unhealthy before the next hand-over: StepDownAfter, doubled per hand-over in the window.</summary>
    internal TimeSpan Backoff(int recentHandOvers)
    {
        var factor = 1L << Math.Min(recentHandOvers, 20);
        return _after.Ticks >= options.HandOverWindow.Ticks / factor ? options.HandOverWindow : _after * factor;
    }

    private List<HandOver> Recent(DateTimeOffset now) =>
        LeaseRecord.HandOvers(elector.ObservedLease).Where(h => now - h.At < options.HandOverWindow).ToList();

    private void Declining(Decline why, TimeSpan unhealthyFor, List<HandOver> recent)
    {
        Interlocked.Increment(ref _declined);
        LastDecline = why;
        if (_declineLogged == why)
        {
            return;
        }

        _declineLogged = why;
        switch (why)
        {
            case Decline.Budget:
                HealthLog.HandOverBudgetSpent(logger, elector.Identity, unhealthyFor, recent.Count, options.HandOverWindow, recent.Min(h => h.At) + options.HandOverWindow);
                break;
            case Decline.AllTried:
                HealthLog.EveryReplicaTried(logger, elector.Identity, unhealthyFor, string.Join(", ", recent.Select(h => h.From).Distinct()), options.HandOverWindow);
                break;
            default:
                HealthLog.NoHealthySuccessor(logger, elector.Identity, unhealthyFor);
                break;
        }
    }
}
