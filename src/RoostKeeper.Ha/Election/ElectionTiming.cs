namespace RoostKeeper.Ha.Election;

/// <summary>Time budgets on the election's <see cref="TimeProvider"/>.</summary>
internal static class ElectionTiming
{
    /// <summary>The longest delay a .NET timer accepts (uint.MaxValue − 1 ms, about 49.7 days).</summary>
    public static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    /// <summary>A delay a timer accepts: negative becomes zero, and longer than <see cref="MaxTimer"/> is capped.</summary>
    public static TimeSpan Clamp(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value > MaxTimer ? MaxTimer : value;

    /// <summary>A jittered delay in [period/2, period]: spreads the retries of replicas that lost the same race.</summary>
    public static TimeSpan Jitter(TimeSpan period) => period / 2 + period / 2 * Random.Shared.NextDouble();

    /// <summary>Waits until <paramref name="changed"/> completes or <paramref name="timeout"/> passes; throws only when <paramref name="stop"/> is cancelled.</summary>
    public static async Task WaitAsync(Task changed, TimeSpan timeout, TimeProvider time, CancellationToken stop)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var delay = Task.Delay(Clamp(timeout), time, cancel.Token);
        await Task.WhenAny(changed, delay).ConfigureAwait(false);
        await cancel.CancelAsync().ConfigureAwait(false);
        stop.ThrowIfCancellationRequested();
    }
}
