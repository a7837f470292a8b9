using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Health;

/// <summary>
/// Hands leadership away from a leader that stays Unhealthy for <c>after</c>: to a replica whose fresh
/// published health is Healthy (else Degraded), through <see cref="HaManager.TriggerFailoverAsync"/>.
/// When no other replica is known to be better, the leader keeps leading: if every replica is unhealthy
/// (the API server is slow for all, the whole deployment is short of pods), handing over would only move
/// the problem around and churn leadership.
/// </summary>
internal sealed class StepDownPolicy(HaManager manager, ReplicaHealthLeases peers, TimeSpan after, TimeProvider time, ILogger logger)
{
    private long? _unhealthySince;
    private bool _declineLogged;
    private int _declined;
    private int _handOvers;

    /// <summary>Rounds in which the leader was due to step down but no healthier replica was known.</summary>
    public int Declined => Volatile.Read(ref _declined);

    /// <summary>Hand-overs this policy made.</summary>
    public int HandOvers => Volatile.Read(ref _handOvers);

    public async Task EvaluateAsync(HealthReport report, CancellationToken cancellationToken)
    {
        if (!manager.IsLeader || report.Status != HealthStatus.Unhealthy)
        {
            _unhealthySince = null;
            _declineLogged = false;
            return;
        }

        var now = time.GetTimestamp();
        _unhealthySince ??= now;
        var unhealthyFor = time.GetElapsedTime(_unhealthySince.Value, now);
        if (unhealthyFor < after)
        {
            return;
        }

        IReadOnlyList<PeerHealth> others;
        try
        {
            others = await peers.ReadPeersAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsApiOrNetwork(e) && !cancellationToken.IsCancellationRequested)
        {
            // A leader that cannot read the API cannot renew either: the elector steps it down on its own.
            HealthLog.PeersUnreadable(logger, manager.Settings.LeaseName, ApiErrors.Describe(e), e);
            return;
        }

        var successor = others.Where(p => p.Fresh && p.Status == HealthStatus.Healthy).OrderBy(p => p.Identity, StringComparer.Ordinal).FirstOrDefault()
            ?? others.Where(p => p.Fresh && p.Status == HealthStatus.Degraded).OrderBy(p => p.Identity, StringComparer.Ordinal).FirstOrDefault();
        if (successor is null)
        {
            Interlocked.Increment(ref _declined);
            if (!_declineLogged)
            {
                HealthLog.NoHealthySuccessor(logger, manager.Identity, unhealthyFor);
                _declineLogged = true;
            }

            return;
        }

        HealthLog.SteppingDown(logger, manager.Identity, unhealthyFor, successor.Identity, successor.Status);
        if (await manager.TriggerFailoverAsync(successor.Identity, cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _handOvers);
        }

        _unhealthySince = null;
        _declineLogged = false;
    }
}
