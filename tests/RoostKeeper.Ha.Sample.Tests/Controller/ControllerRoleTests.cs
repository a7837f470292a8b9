using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Fencing;
using RoostKeeper.Ha.Sample.Controller;
using RoostKeeper.Ha.Sample.Tests.Infrastructure;

namespace RoostKeeper.Ha.Sample.Tests.Controller;

/// <summary>
/// config/ha/controller-role.yaml against what the reconciler really asks the API server: a roost created,
/// changed, then deleted, with SimulatedCluster recording each verb and resource of the controller's client.
/// </summary>
public sealed class ControllerRoleTests
{
    private static readonly string[] Verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
    private static readonly Dictionary<string, string> Groups = new()
    {
        ["configmaps"] = "",
        [ManagedRoost.Plural] = ManagedRoost.Group,
        [ManagedRoost.Plural + "/status"] = ManagedRoost.Group,
    };

    [Fact]
    public async Task The_controller_role_grants_exactly_the_verbs_a_create_change_delete_cycle_uses()
    {
        await using var cluster = await RoostCluster.StartAsync();
        using var controller = cluster.Simulation.CreateClient("controller");
        using var measurements = new ReconcileMeasurements();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var reconciler = new ManagedRoostReconciler(controller, RoostCluster.Namespace, measurements.Recorder, time, NullLogger.Instance);
        var term = new TermFence(new TermStamp(1, RoostCluster.Namespace, "roost-keeper-controller", "replica-a"));

        await cluster.CreateRoostAsync("wren", song: "teakettle");
        await reconciler.ResyncAsync(term, CancellationToken.None);
        var roost = await cluster.RoostAsync("wren");
        roost.Spec.Song = "louder";
        await cluster.Client.CustomObjects.ReplaceNamespacedCustomObjectAsync<ManagedRoost>(roost, ManagedRoost.Group, ManagedRoost.Version, RoostCluster.Namespace, ManagedRoost.Plural, "wren");
        await reconciler.ResyncAsync(term, CancellationToken.None);
        // Orphaned, so the garbage collector leaves the ConfigMap and the controller's own clean-up deletes it.
        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ManagedRoost.Group, ManagedRoost.Version, RoostCluster.Namespace, ManagedRoost.Plural, "wren", propagationPolicy: "Orphan");
        Assert.NotNull(await cluster.ConfigMapAsync("wren"));
        await reconciler.ResyncAsync(term, CancellationToken.None);
        Assert.Null(await cluster.ConfigMapAsync("wren"));

        var total = cluster.Simulation.Requests.Count("controller");
        var used = (from verb in Verbs
                    from resource in Groups.Keys
                    where cluster.Simulation.Requests.Count("controller", verb, resource) > 0
                    select $"{Groups[resource]}/{resource}:{verb}").ToHashSet();
        var known = (from verb in Verbs from resource in Groups.Keys select cluster.Simulation.Requests.Count("controller", verb, resource)).Sum();
        Assert.True(total == known, $"the controller made {total} requests, {known} of them to resources this test checks");

        var role = KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "samples", "RoostKeeper.Ha.Sample", "config", "ha", "controller-role.yaml")))
            .OfType<V1Role>().Single();
        var granted = (from rule in role.Rules
                       from g in rule.ApiGroups
                       from resource in rule.Resources
                       from verb in rule.Verbs
                       select $"{g}/{resource}:{verb}").ToHashSet();
        var missing = used.Except(granted).Order().ToList();
        var unused = granted.Except(used).Order().ToList();
        Assert.True(missing.Count == 0 && unused.Count == 0, $"controller-role.yaml lacks: [{string.Join(", ", missing)}]; grants what nothing used: [{string.Join(", ", unused)}]");
    }
}
