using System.Runtime.CompilerServices;
using k8s;

namespace RoostKeeper.Ha.Health;

/// <summary>
/// One run of the checks by <see cref="HealthManager"/>. It flows to the checks through an
/// <see cref="AsyncLocal{T}"/> (a check is an <c>IHealthCheck</c> and gets nothing but its context), so the
/// built-in checks find the round's shared reads without any change to the health-check contract.
/// Disposing the round cancels the reads that outlived it (those of checks that timed out).
/// </summary>
internal sealed class HealthRound : IDisposable
{
    private static readonly AsyncLocal<HealthRound?> CurrentRound = new();

    private readonly CancellationTokenSource _ended = new();
    private readonly ConditionalWeakTable<IKubernetes, KubernetesReads> _reads = new();

    public static HealthRound? Current => CurrentRound.Value;

    /// <summary>Makes this the current round for the calling async flow and the tasks it starts.</summary>
    public void Enter() => CurrentRound.Value = this;

    public KubernetesReads ReadsFor(IKubernetes client) =>
        _reads.GetValue(client, c => new KubernetesReads(c, _ended.Token));

    /// <summary>The reads started in this round, over every client.</summary>
    public int ReadCount => _reads.Sum(p => p.Value.Count);

    // Cancelled, not disposed: a check that timed out may still ask for its reads after the round ended.
    public void Dispose() => _ended.Cancel();
}
