using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.Tests.Recovery;

public sealed class RestoreTests
{
    private static BackupOptions Plain => RecoveryTestBed.Options(secrets: false, encrypt: false);

    [Fact]
    public async Task Existing_objects_that_differ_are_skipped_by_default_and_reported_with_their_differences()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 8, namespaces: 2);
        var backup = await bed.Manager("backup", Plain).CreateBackupAsync();
        await SetReplicasAsync(bed, "ns-1", "roost-00001", 42);

        var result = await bed.Manager("restorer", Plain).RestoreFromBackupAsync(backup.Id);

        var skipped = Assert.Single(result.Objects, o => o.Outcome == RestoreOutcome.Skipped);
        Assert.Equal(("ns-1", "roost-00001"), (skipped.Namespace, skipped.Name));
        Assert.Contains("spec.replicas differs", skipped.Differences);
        Assert.All(result.Objects.Where(o => o != skipped), o => Assert.Equal(RestoreOutcome.Unchanged, o.Outcome));
        Assert.Equal(42, await ReplicasAsync(bed, "ns-1", "roost-00001"));
        Assert.Equal(0, bed.Cluster.Requests.Count("restorer", "update"));
        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Policy_update_replaces_objects_that_differ_and_recreates_deleted_ones()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 8, namespaces: 2);
        var backup = await bed.Manager("backup", Plain).CreateBackupAsync();
        await SetReplicasAsync(bed, "ns-1", "roost-00001", 42);
        await bed.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00002");

        var result = await bed.Manager("restorer", Plain).RestoreFromBackupAsync(backup.Id, new RestoreOptions { ExistingObjects = ExistingObjectPolicy.Update });

        Assert.Equal("roost-00001", Assert.Single(result.Objects, o => o.Outcome == RestoreOutcome.Updated).Name);
        Assert.Equal("roost-00002", Assert.Single(result.Objects, o => o.Outcome == RestoreOutcome.Created).Name);
        Assert.Equal(2, await ReplicasAsync(bed, "ns-1", "roost-00001"));
        Assert.Equal(3, await ReplicasAsync(bed, "ns-0", "roost-00002"));
    }

    [Fact]
    public async Task An_update_the_server_refuses_is_reported_as_failed_and_the_object_is_left_as_it_was()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 2);
        var backup = await bed.Manager("backup", Plain).CreateBackupAsync();
        await SetReplicasAsync(bed, "ns-1", "roost-00001", 42);
        var handler = new RecordingHandler { FailPutsWith = HttpStatusCode.UnprocessableEntity };
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = bed.Cluster.BaseAddress.ToString() }, handler);

        var result = await new RecoveryManager(client, Plain, bed.Store()).RestoreFromBackupAsync(backup.Id, new RestoreOptions { ExistingObjects = ExistingObjectPolicy.Update });

        var failed = Assert.Single(result.Objects, o => o.Outcome == RestoreOutcome.Failed);
        Assert.Equal("roost-00001", failed.Name);
        Assert.Contains("422", failed.Error, StringComparison.Ordinal);
        Assert.Contains("admission webhook denied the update", failed.Error, StringComparison.Ordinal);
        Assert.False(result.Succeeded);
        Assert.Equal(42, await ReplicasAsync(bed, "ns-1", "roost-00001"));
    }

    [Fact]
    public async Task Namespace_mapping_restores_objects_into_the_mapped_namespace_and_creates_it()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var backup = await bed.Manager("backup", Plain).CreateBackupAsync();

        var result = await bed.Manager("restorer", Plain).RestoreFromBackupAsync(backup.Id, new RestoreOptions
        {
            NamespaceMapping = new Dictionary<string, string> { ["ns-0"] = "ns-0-restored" },
        });

        Assert.True(result.Succeeded);
        Assert.Contains(result.Objects, o => o is { Kind: "Namespace", Name: "ns-0-restored", Outcome: RestoreOutcome.Created });
        Assert.Equal(3, result.Objects.Count(o => o is { Kind: "ManagedRoost", Namespace: "ns-0-restored", Outcome: RestoreOutcome.Created }));
        Assert.Equal(1, await ReplicasAsync(bed, "ns-0-restored", "roost-00000"));
        Assert.Equal("ns-0", (await bed.Admin.CoreV1.ReadNamespacedConfigMapAsync("roost-config", "ns-0-restored")).Data["namespace"]);
    }

    [Fact]
    public async Task Restored_objects_get_fresh_server_fields_no_status_and_no_references_to_owners_not_restored()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var original = await ReadRoostAsync(bed, "ns-0", "roost-00000");
        original["status"] = new JsonObject { ["phase"] = "Ready" };
        await bed.Admin.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(original, RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00000");
        var cm = await bed.Admin.CoreV1.ReadNamespacedConfigMapAsync("roost-config", "ns-0");
        // An owner that exists when the backup is taken (as the garbage collector requires) but is not backed up.
        var owner = await bed.Admin.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "gone-pod" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "registry.k8s.io/pause:3.9" }] },
        }, "ns-0");
        cm.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Pod", Name = "gone-pod", Uid = owner.Metadata.Uid }];
        await bed.Admin.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "roost-config", "ns-0");
        original = await ReadRoostAsync(bed, "ns-0", "roost-00000");
        Assert.Equal("Ready", original["status"]!["phase"]!.GetValue<string>());
        var backup = await bed.Manager("backup", Plain).CreateBackupAsync();
        await bed.DeleteEverythingAsync(namespaces: 1);
        await bed.InstallDefinitionAsync();

        var result = await bed.Manager("restorer", Plain).RestoreFromBackupAsync(backup.Id);

        Assert.True(result.Succeeded, string.Join("; ", result.Objects.Select(o => $"{o.Name}:{o.Outcome}:{o.Error}")));
        var restored = await ReadRoostAsync(bed, "ns-0", "roost-00000");
        Assert.NotEqual(original["metadata"]!["uid"]!.GetValue<string>(), restored["metadata"]!["uid"]!.GetValue<string>());
        Assert.Null(restored["status"]);
        Assert.Equal(original["spec"]!.ToJsonString(), restored["spec"]!.ToJsonString());
        var restoredCm = await bed.Admin.CoreV1.ReadNamespacedConfigMapAsync("roost-config", "ns-0");
        Assert.Null(restoredCm.Metadata.OwnerReferences);
        Assert.Contains(result.Objects.Single(o => o.Name == "roost-config").Differences, d => d.Contains("gone-pod", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Included_namespaces_are_restored_first_with_their_labels_and_progress_is_reported()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 2);
        foreach (var ns in new[] { "ns-0", "ns-1" })
        {
            await bed.Admin.CoreV1.PatchNamespaceAsync(new V1Patch("""{"metadata":{"labels":{"team":"birds"}}}""", V1Patch.PatchType.MergePatch), ns);
        }

        var options = Plain;
        options.Resources.Add(new BackupResource("", "v1", "namespaces", LabelSelector: "team=birds"));
        var backupProgress = new List<BackupProgress>();
        var backup = await bed.Manager("backup", options).CreateBackupAsync(new SynchronousProgress<BackupProgress>(backupProgress.Add));
        await bed.DeleteEverythingAsync(namespaces: 2);
        var restoreProgress = new List<RestoreProgress>();

        var result = await bed.Manager("restorer", options).RestoreFromBackupAsync(backup.Id, progress: new SynchronousProgress<RestoreProgress>(p => { lock (restoreProgress) { restoreProgress.Add(p); } }));

        Assert.True(result.Succeeded);
        Assert.Equal(["Namespace", "Namespace"], result.Objects.Take(2).Select(o => o.Kind));
        Assert.Equal("CustomResourceDefinition", result.Objects[2].Kind);
        Assert.Equal("birds", (await bed.Admin.CoreV1.ReadNamespaceAsync("ns-1")).Metadata.Labels["team"]);
        Assert.Equal(backup.ObjectCount, backupProgress[^1].Objects);
        Assert.Equal(backup.ObjectCount, restoreProgress.Max(p => p.Objects));
        Assert.All(restoreProgress.Where(p => p.Phase != RestorePhase.Validating), p => Assert.Equal(backup.ObjectCount, p.Total));
        var phases = restoreProgress.Select(p => p.Phase).ToList();
        Assert.Equal(RestorePhase.Validating, phases[0]);
        Assert.Equal(phases.Order(), phases);
        Assert.Contains(RestorePhase.Namespaces, phases);
        Assert.Contains(RestorePhase.Definitions, phases);
    }

    [Fact]
    public async Task Dry_run_returns_the_plan_with_a_diff_against_the_cluster()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var backup = await bed.Manager("backup", Plain).CreateBackupAsync();
        await SetReplicasAsync(bed, "ns-1", "roost-00001", 42);
        await bed.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00002");

        var plan = await bed.Manager("restorer", Plain).RestoreFromBackupAsync(backup.Id, new RestoreOptions { DryRun = true, ExistingObjects = ExistingObjectPolicy.Update });

        Assert.True(plan.DryRun);
        var update = Assert.Single(plan.Objects, o => o.Outcome == RestoreOutcome.WouldUpdate);
        Assert.Equal("roost-00001", update.Name);
        Assert.Equal(["spec.replicas differs"], update.Differences);
        Assert.Equal("roost-00002", Assert.Single(plan.Objects, o => o.Outcome == RestoreOutcome.WouldCreate).Name);
        Assert.Equal(plan.Objects.Count - 2, plan.Count(RestoreOutcome.Unchanged));
        Assert.DoesNotContain(plan.Objects, o => o.Outcome is RestoreOutcome.Created or RestoreOutcome.Updated);
    }

    [Fact]
    public async Task Dry_run_sends_every_write_with_the_servers_dryRun_All()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var backup = await bed.Manager("backup", Plain).CreateBackupAsync();
        await SetReplicasAsync(bed, "ns-1", "roost-00001", 42);
        await bed.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00002");
        var handler = new RecordingHandler();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = bed.Cluster.BaseAddress.ToString() }, handler);

        await new RecoveryManager(client, Plain, bed.Store()).RestoreFromBackupAsync(backup.Id, new RestoreOptions { DryRun = true, ExistingObjects = ExistingObjectPolicy.Update });

        var writes = handler.Requests.Where(r => r.Method != HttpMethod.Get).ToList();
        Assert.Equal(2, writes.Count); // one create, one replace
        Assert.All(writes, w => Assert.Contains("dryRun=All", w.Uri.Query, StringComparison.Ordinal));
    }

    /// <summary>
    /// Holds once the simulator honours <c>dryRun=All</c> as a real API server does (validate, do not persist);
    /// a simulator that ignores it persists the dry run's writes and fails this test.
    /// </summary>
    [Fact]
    public async Task Dry_run_leaves_the_cluster_unchanged()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var backup = await bed.Manager("backup", Plain).CreateBackupAsync();
        await SetReplicasAsync(bed, "ns-1", "roost-00001", 42);
        await bed.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00002");
        var before = await bed.SnapshotAsync();

        await bed.Manager("restorer", Plain).RestoreFromBackupAsync(backup.Id, new RestoreOptions { DryRun = true, ExistingObjects = ExistingObjectPolicy.Update });

        Assert.Equal(before, await bed.SnapshotAsync());
    }

    [Fact]
    public async Task The_health_check_runs_after_a_restore_and_an_unhealthy_report_fails_it()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var backup = await bed.Manager("backup", Plain).CreateBackupAsync();
        var calls = 0;
        var report = new HealthReport(new Dictionary<string, HealthReportEntry> { ["roosts"] = new(HealthStatus.Unhealthy, "no ready replicas", TimeSpan.Zero, null, null) }, TimeSpan.Zero);
        var manager = new RecoveryManager(bed.Cluster.CreateClient("restorer"), Plain, bed.Store(), healthCheck: _ => { calls++; return Task.FromResult(report); });

        var result = await manager.RestoreFromBackupAsync(backup.Id);
        var plan = await manager.RestoreFromBackupAsync(backup.Id, new RestoreOptions { DryRun = true });

        Assert.Equal(1, calls);
        Assert.Same(report, result.Health);
        Assert.False(result.Succeeded);
        Assert.Null(plan.Health);
    }

    [Fact]
    public async Task Restoring_a_backup_that_does_not_exist_throws_BackupNotFoundException_without_writing()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        var e = await Assert.ThrowsAsync<BackupNotFoundException>(() => bed.Manager("restorer", Plain).RestoreFromBackupAsync("20260101-000000-abcdef"));
        Assert.Equal("20260101-000000-abcdef", e.BackupId);
        Assert.Equal(0, bed.Writes("restorer"));
    }

    [Fact]
    public async Task A_cancelled_restore_throws_OperationCanceledException()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 1);
        var backup = await bed.Manager("backup", Plain).CreateBackupAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bed.Manager("restorer", Plain).RestoreFromBackupAsync(backup.Id, cancellationToken: cts.Token));
        Assert.Equal(0, bed.Writes("restorer"));
    }

    [Fact]
    public async Task Restore_options_out_of_range_are_rejected_naming_the_option()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => bed.Manager("restorer", Plain).RestoreFromBackupAsync("x", new RestoreOptions { MaxParallelism = 0 }));
        Assert.Equal("RestoreOptions.MaxParallelism (0) must be from 1 to 64.", Assert.Single(e.Failures));
        Assert.Equal(0, bed.Cluster.Requests.Count("restorer"));
    }

    [Fact]
    public async Task TestDisasterRecoveryAsync_passes_on_an_unchanged_cluster_without_writing()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var manager = bed.Manager("drill");

        var drill = await manager.TestDisasterRecoveryAsync();

        Assert.True(drill.Passed, string.Join("; ", drill.Mismatches.Select(m => $"{m.Kind} {m.Namespace}/{m.Name} {m.Outcome} {string.Join(",", m.Differences)} {m.Error}")));
        Assert.True(drill.Validation.IsValid);
        Assert.Equal(0, bed.Writes("drill"));
    }

    private static async Task<JsonObject> ReadRoostAsync(RecoveryTestBed bed, string ns, string name) =>
        JsonNode.Parse(((JsonElement)await bed.Admin.CustomObjects.GetNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, ns, RecoveryTestBed.Plural, name)).GetRawText())!.AsObject();

    private static async Task<int> ReplicasAsync(RecoveryTestBed bed, string ns, string name) =>
        (await ReadRoostAsync(bed, ns, name))["spec"]!["replicas"]!.GetValue<int>();

    private static Task SetReplicasAsync(RecoveryTestBed bed, string ns, string name, int replicas) =>
        bed.Admin.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch($"{{\"spec\":{{\"replicas\":{replicas}}}}}", V1Patch.PatchType.MergePatch), RecoveryTestBed.Group, RecoveryTestBed.Version, ns, RecoveryTestBed.Plural, name);
}
