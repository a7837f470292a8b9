using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Chaos.Faults;
using RoostKeeper.Ha.Chaos.Fleet;

namespace RoostKeeper.Ha.Chaos.Runs;

/// <summary>
/// One seeded run: a fleet on its own SimulatedCluster elects a leader, takes <see cref="ChaosSettings.FaultsPerRun"/>
/// random faults one after the other, and is checked. The seed fixes the clocks' rates and the fault
/// schedule (what, where, how long); thread timing is not replayable, so a replay repeats the schedule, not
/// the exact interleaving.
/// </summary>
internal static class ChaosRun
{
    public static async Task<RunResult> RunAsync(ChaosSettings settings, int seed, ILoggerFactory? loggerFactory = null, Action<string>? trace = null, CancellationToken cancellationToken = default)
    {
        var random = new Random(seed);
        var rates = Enumerable.Range(0, settings.Replicas).Select(_ => 1 + ((random.NextDouble() * 2) - 1) * settings.ClockRateError).ToList();
        var faults = new List<string>();
        try
        {
            await using var fleet = await ChaosFleet.CreateAsync(settings.Ours, settings.Theirs, settings.Timings, rates, loggerFactory, cancellationToken);
            trace?.Invoke($"seed {seed}: rates {string.Join(", ", rates.Take(settings.Ours).Select(r => r.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)))}");
            fleet.StartAll();
            await fleet.Recorder.WaitForLeaderAsync(settings.LeaderBound * 3, cancellationToken: cancellationToken);
            var firstLeaderAt = fleet.Recorder.Timeline().Intervals[0].Start;
            var injector = new FaultInjector(fleet, settings.Timings, random, settings.Kinds);
            for (var i = 0; i < settings.FaultsPerRun; i++)
            {
                // Let the fleet settle: a leader for a little while, so faults hit a working election.
                await Task.Delay(settings.Timings.RetryPeriod * (1 + random.NextDouble() * 2), cancellationToken);
                var kind = injector.Draw();
                var injectedAt = fleet.Recorder.Now;
                var described = $"{kind}: {await injector.ApplyAsync(kind, cancellationToken)}";
                fleet.Recorder.FaultHealed(described, injectedAt);
                faults.Add(described);
                trace?.Invoke($"  {injectedAt.TotalSeconds,7:0.000} s {described} (healed {fleet.Recorder.Now.TotalSeconds:0.000} s)");
                try
                {
                    await fleet.Recorder.WaitForLeaderAsync(settings.LeaderBound * 2, cancellationToken: cancellationToken);
                }
                catch (TimeoutException)
                {
                    // Reported as a slow recovery below; the run goes on.
                }
            }

            await Task.Delay(settings.Timings.RetryPeriod * 2, cancellationToken);
            var timeline = fleet.Recorder.Timeline(firstLeaderAt);
            var slow = timeline.Recoveries.Where(r => !r.Within(settings.LeaderBound)).ToList();
            return new RunResult(seed, timeline, faults, slow, null, fleet.Replicas.Sum(r => r.RunFailures));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new RunResult(seed, null, faults, [], e.GetType().Name + ": " + e.Message, 0);
        }
    }
}
