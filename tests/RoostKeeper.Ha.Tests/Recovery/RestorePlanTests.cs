using k8s;
using k8s.Models;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.Tests.Recovery;

/// <summary>
/// The plan says what the restore will do in the main disaster case (an empty cluster), and an object being
/// deleted is never reported as present.
/// </summary>
public sealed class RestorePlanTests
{
    private const string Restorer = "restorer";

    [Fact]
    public async Task A_dry_run_into_an_empty_cluster_plans_every_object_as_created_and_the_restore_creates_them()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 8, namespaces: 2);
        var options = RecoveryTestBed.Options();
        var backup = await bed.Manager("backup", options).CreateBackupAsync();
        await bed.DeleteEverythingAsync(namespaces: 2);
        var manager = bed.Manager(Restorer, options);
        var empty = await bed.SnapshotAsync(); // what every cluster has (kube-root-ca.crt in the system namespaces), nothing of the backup's

        var plan = await manager.RestoreFromBackupAsync(backup.Id, new RestoreOptions { DryRun = true });

        Assert.True(plan.Succeeded, string.Join("\n", plan.Objects.Where(o => o.Outcome == RestoreOutcome.Failed).Select(o => $"{o.Kind} {o.Namespace}/{o.Name}: {o.Error}")));
        Assert.All(plan.Objects, o => Assert.Equal(RestoreOutcome.WouldCreate, o.Outcome));
        Assert.Equal(["ns-0", "ns-1"], plan.Objects.Where(o => o.Kind == "Namespace").Select(o => o.Name).Order());
        Assert.All(plan.Objects.Where(o => o.Kind == "ManagedRoost"), o => Assert.Contains(o.Differences, d => d.Contains($"CustomResourceDefinition {RecoveryTestBed.CrdName} does not exist yet", StringComparison.Ordinal)));
        Assert.All(plan.Objects.Where(o => o.Kind is "ConfigMap" or "Secret"), o => Assert.Contains(o.Differences, d => d.Contains($"namespace {o.Namespace} does not exist yet", StringComparison.Ordinal)));
        Assert.Equal(empty, await bed.SnapshotAsync());
        Assert.DoesNotContain(empty.Keys, k => k.Contains("/ns-", StringComparison.Ordinal) || k.StartsWith("ManagedRoost/", StringComparison.Ordinal));

        var restored = await manager.RestoreFromBackupAsync(backup.Id);

        Assert.True(restored.Succeeded);
        Assert.Equal(Planned(plan, RestoreOutcome.WouldCreate), Planned(restored, RestoreOutcome.Created));
    }

    [Fact]
    public async Task A_dry_run_lists_a_namespace_the_backup_includes_once()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 2);
        var options = RecoveryTestBed.Options(secrets: false, encrypt: false);
        options.Resources.Add(new BackupResource("", "v1", "namespaces"));
        var backup = await bed.Manager("backup", options).CreateBackupAsync();
        await bed.DeleteEverythingAsync(namespaces: 2);

        var plan = await bed.Manager(Restorer, options).RestoreFromBackupAsync(backup.Id, new RestoreOptions { DryRun = true });

        Assert.True(plan.Succeeded, string.Join("\n", plan.Objects.Where(o => o.Outcome == RestoreOutcome.Failed).Select(o => $"{o.Kind} {o.Namespace}/{o.Name}: {o.Error}")));
        foreach (var ns in new[] { "ns-0", "ns-1" })
        {
            var planned = Assert.Single(plan.Objects, o => o.Kind == "Namespace" && o.Name == ns);
            Assert.Equal(RestoreOutcome.WouldCreate, planned.Outcome);
            Assert.DoesNotContain(planned.Differences, d => d.Contains("does not include it", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task An_object_being_deleted_is_failed_with_the_reason_not_unchanged_and_a_rerun_after_it_is_gone_creates_it()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 2);
        var held = new V1Patch("""{"metadata":{"finalizers":["roost.birb.party/hold"]}}""", V1Patch.PatchType.MergePatch);
        await bed.Admin.CustomObjects.PatchNamespacedCustomObjectAsync(held, RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00000");
        var options = RecoveryTestBed.Options();
        var backup = await bed.Manager("backup", options).CreateBackupAsync();
        await bed.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00000");
        var manager = bed.Manager(Restorer, options);

        var plan = await manager.RestoreFromBackupAsync(backup.Id, new RestoreOptions { DryRun = true });
        var result = await manager.RestoreFromBackupAsync(backup.Id);

        foreach (var run in new[] { plan, result })
        {
            Assert.False(run.Succeeded);
            var deleting = Assert.Single(run.Objects, o => o.Name == "roost-00000");
            Assert.Equal(RestoreOutcome.Failed, deleting.Outcome);
            Assert.Contains("being deleted", deleting.Error, StringComparison.Ordinal);
            Assert.Contains("roost.birb.party/hold", deleting.Error, StringComparison.Ordinal);
        }

        await bed.Admin.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00000");
        var rerun = await manager.RestoreFromBackupAsync(backup.Id);

        Assert.True(rerun.Succeeded);
        Assert.Equal(RestoreOutcome.Created, Assert.Single(rerun.Objects, o => o.Name == "roost-00000").Outcome);
    }

    private static List<string> Planned(RestoreResult result, RestoreOutcome outcome) =>
        [.. result.Objects.Where(o => o.Outcome == outcome).Select(o => $"{o.Kind}/{o.Namespace}/{o.Name}").Order()];
}
