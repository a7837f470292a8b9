using k8s;
using RoostKeeper.Ha.RollingUpdates;
using RoostKeeper.Ha.Testing;
using Xunit.Abstractions;
using static RoostKeeper.Ha.TestUtilities.ControllerTestKit;

namespace RoostKeeper.Ha.Tests.RollingUpdates;

/// <summary>
/// RollingUpdateManager and the real kubectl on one Deployment in SimulatedCluster: the Deployment controller copies
/// Deployment annotations into ReplicaSets and <c>kubectl rollout undo</c> copies them back, so nothing of the update
/// lock may live in an annotation.
/// </summary>
public sealed class KubectlRolloutUndoTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public KubectlRolloutUndoTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    [Fact]
    public async Task Update_rollback_then_kubectl_rollout_undo_twice_leaves_no_lock_and_the_next_update_runs()
    {
        var ns = await _fixture.NewNamespaceAsync("undo");
        var client = _fixture.Client;
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("roost", "roost:v1", 2), ns);
        await WaitForRolloutAsync(client, ns, "roost");
        _fixture.Cluster.Images.Set("roost:crash", ImageHealth.CrashLooping);
        using var manager = new RollingUpdateManager(_fixture.Cluster.CreateClient("manager"), identity: "replica-a");

        var updated = await manager.PerformRollingUpdateAsync(ns, "roost", "roost:v2", RolloutHarness.Fast());
        var rolledBack = await manager.PerformRollingUpdateAsync(ns, "roost", "roost:crash", RolloutHarness.Fast());
        Assert.Equal((RollingUpdatePhase.Succeeded, RollingUpdatePhase.RolledBack), (updated.Phase, rolledBack.Phase));

        // An operator goes back with kubectl twice: the first undo returns to the previous revision, the failed
        // update's template (its ReplicaSet carries whatever the update had on the Deployment); the second to v2.
        await _kubectl.RunAsync("rollout", "undo", "deployment/roost", "-n", ns);
        await WaitForAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync("roost", ns), d => d.Status?.ObservedGeneration == d.Metadata.Generation && d.Spec.Template.Spec.Containers[0].Image == "roost:crash", "the first undo to be observed");
        await _kubectl.RunAsync("rollout", "undo", "deployment/roost", "-n", ns);
        await WaitForRolloutAsync(client, ns, "roost");
        Assert.Equal("roost:v2", (await client.AppsV1.ReadNamespacedDeploymentAsync("roost", ns)).Spec.Template.Spec.Containers[0].Image);

        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("roost", ns);
        Assert.DoesNotContain(RollingUpdateManager.LockAnnotation, deployment.Metadata.Annotations?.Keys ?? []);
        Assert.All((await client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items, rs => Assert.DoesNotContain(RollingUpdateManager.LockAnnotation, rs.Metadata.Annotations?.Keys ?? []));
        Assert.Empty((await client.CoordinationV1.ListNamespacedLeaseAsync(ns)).Items);
        var validation = await manager.ValidateUpdateAsync(ns, "roost", new Dictionary<string, string> { ["roost"] = "roost:v3" }, RolloutHarness.Fast());
        Assert.Empty(validation.Problems);

        var again = await manager.PerformRollingUpdateAsync(ns, "roost", "roost:v3", RolloutHarness.Fast());
        Assert.Equal(RollingUpdatePhase.Succeeded, again.Phase);
        Assert.Equal("roost:v3", (await client.AppsV1.ReadNamespacedDeploymentAsync("roost", ns)).Spec.Template.Spec.Containers[0].Image);
    }
}
