using System.Net;
using k8s;
using RoostKeeper.Ha.RollingUpdates;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Tests.RollingUpdates;

/// <summary>
/// A rollout hit by random API errors, latency and partitions from a fixed seed either completes or rolls
/// back, or reports clearly where it stopped; it never ends half-way without saying so.
/// </summary>
public sealed class RolloutUnderFaultsTests
{
    [SimulatedOnlyTheory("fault injection")]
    [InlineData(1501)]
    [InlineData(1502)]
    [InlineData(1503)]
    [InlineData(1504)]
    public async Task Rollout_under_random_api_faults_completes_rolls_back_or_reports_where_it_stopped(int seed)
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2);
        using var stop = new CancellationTokenSource();
        var faults = InjectAsync(h.Simulation, new Random(seed), stop.Token);
        RollingUpdateStatus? status = null;
        Exception? error = null;
        try
        {
            status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, RolloutHarness.Name, "roost:v2", RolloutHarness.Fast(o => o.RollbackTimeout = TimeSpan.FromSeconds(20)));
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            error = e;
        }
        finally
        {
            await stop.CancelAsync();
            await faults;
            h.Simulation.Faults.Clear("manager");
        }

        var updates = h.Manager.ListUpdates();
        Assert.True(updates.Count == 1, $"{updates.Count} updates recorded; the call ended with {error?.ToString() ?? status?.Phase.ToString()}");
        var recorded = updates[0];
        Assert.True(recorded.IsFinished, $"the update ended in phase {recorded.Phase}: {recorded.Message}");
        switch (error)
        {
            case null when status!.Phase == RollingUpdatePhase.Succeeded:
                Assert.Equal("roost:v2", await ImageAsync(h));
                await h.WaitForPodsAsync("roost:v2", 2);
                break;
            case null when status!.Phase == RollingUpdatePhase.RolledBack:
                Assert.NotEqual(RollingUpdateFailureKind.None, status.Failure);
                Assert.Equal("roost:v1", await ImageAsync(h));
                await h.WaitForPodsAsync("roost:v1", 2);
                break;
            case null:
                Assert.Fail($"The update returned phase {status!.Phase} ({status.Message}); only Succeeded or RolledBack are returned with rollback on.");
                break;
            case RollingUpdateFailedException failed:
                // The rollback itself could not finish: the error names the revision and the command to run.
                Assert.Equal(RollingUpdatePhase.Failed, failed.Status.Phase);
                Assert.Contains("kubectl rollout undo deployment/roost", failed.Message, StringComparison.Ordinal);
                break;
            default:
                // Stopped before the rollout began (validation or the template write failed): reported as Failed, and
                // the Deployment is unchanged unless the status says the write may have been applied.
                Assert.Equal(RollingUpdatePhase.Failed, recorded.Phase);
                if (!recorded.Message.Contains("may have been applied", StringComparison.Ordinal))
                {
                    Assert.Contains("before the template was changed", recorded.Message, StringComparison.Ordinal);
                    Assert.Equal("roost:v1", await ImageAsync(h));
                }

                break;
        }
    }

    private static async Task<string> ImageAsync(RolloutHarness h) =>
        (await h.Client.AppsV1.ReadNamespacedDeploymentAsync(RolloutHarness.Name, h.Namespace)).Spec.Template.Spec.Containers[0].Image;

    /// <summary>Every 30–120 ms: transient errors (503, 429, 500), now and then a 403 or 409, a 100–300 ms partition, or latency, on the manager's client.</summary>
    private static async Task InjectAsync(SimulatedCluster cluster, Random random, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(random.Next(30, 120), stop);
                switch (random.Next(10))
                {
                    case 0 or 1:
                        cluster.Faults.FailNext("manager", HttpStatusCode.ServiceUnavailable, random.Next(1, 4));
                        break;
                    case 2:
                        cluster.Faults.FailNext("manager", HttpStatusCode.TooManyRequests, random.Next(1, 3));
                        break;
                    case 3:
                        cluster.Faults.FailNext("manager", HttpStatusCode.InternalServerError, 1);
                        break;
                    case 4 when random.Next(4) == 0:
                        cluster.Faults.FailNext("manager", HttpStatusCode.Forbidden, 1);
                        break;
                    case 5 when random.Next(3) == 0:
                        cluster.Faults.FailNext("manager", HttpStatusCode.Conflict, 1);
                        break;
                    case 6:
                        cluster.Faults.Partition("manager");
                        await Task.Delay(random.Next(100, 300), CancellationToken.None);
                        cluster.Faults.Heal("manager");
                        break;
                    case 7:
                        cluster.Faults.AddLatency("manager", TimeSpan.FromMilliseconds(random.Next(0, 40)));
                        break;
                    default:
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped with the update.
        }
    }
}
