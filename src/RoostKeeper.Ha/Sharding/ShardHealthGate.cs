using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;

namespace RoostKeeper.Ha.Sharding;

/// <summary>
/// The health step-down for shards: a replica whose own health has been Unhealthy for HealthOptions.StepDownAfter
/// gives up its shards (and publishes draining, so the leader assigns it none) until it is healthy again. The
/// singleton Lease's hand-over stays the step-down policy's; this only reads the latest health report.
/// </summary>
internal sealed class ShardHealthGate(HealthManager health, TimeSpan stepDownAfter, TimeProvider time)
{
    private long? _unhealthySince;

    /// <summary>Whether the replica must drain now, given the latest report (evaluated every interval).</summary>
    public bool Evaluate()
    {
        if (health.LatestReport?.Status != HealthStatus.Unhealthy)
        {
            _unhealthySince = null;
            return false;
        }

        _unhealthySince ??= time.GetTimestamp();
        return time.GetElapsedTime(_unhealthySince.Value) >= stepDownAfter;
    }

    public async Task RunAsync(ShardCoordinator coordinator, CancellationToken stop)
    {
        var interval = health.Options.Interval;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var drain = Evaluate();
                if (drain && coordinator.DrainReason is null)
                {
                    coordinator.SetDraining("step_down");
                }
                else if (!drain && coordinator.DrainReason == "step_down")
                {
                    coordinator.SetDraining(null);
                }

                await Task.Delay(ElectionTiming.Clamp(interval), time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
