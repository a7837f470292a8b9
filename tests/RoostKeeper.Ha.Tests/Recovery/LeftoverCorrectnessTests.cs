using System.Text.Json.Nodes;
using System.Text.Json;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.Tests.Recovery;

/// <summary>Status through the status subresource, duplicate includes, and AddBackups called twice.</summary>
public sealed class LeftoverCorrectnessTests
{
    private static BackupOptions Plain => RecoveryTestBed.Options(secrets: false, encrypt: false);

    [Fact]
    public async Task Status_is_restored_through_the_status_subresource_when_asked()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 2);
        await SetStatusAsync(bed, "ns-1", "roost-00001", new JsonObject { ["phase"] = "Nesting", ["perched"] = 3 });
        await SetStatusAsync(bed, "ns-0", "roost-00002", new JsonObject { ["phase"] = "Fledged" });
        var backup = await bed.Manager("backup", Plain).CreateBackupAsync();
        await bed.DeleteEverythingAsync(namespaces: 2);

        var result = await bed.Manager("restorer", Plain).RestoreFromBackupAsync(backup.Id, new RestoreOptions { IncludeStatus = true });

        Assert.True(result.Succeeded, string.Join("; ", result.Objects.Where(o => o.Error is not null).Select(o => o.Error)));
        Assert.Equal("""{"phase":"Nesting","perched":3}""", (await StatusAsync(bed, "ns-1", "roost-00001"))?.ToJsonString());
        Assert.Equal("""{"phase":"Fledged"}""", (await StatusAsync(bed, "ns-0", "roost-00002"))?.ToJsonString());
        Assert.Null(await StatusAsync(bed, "ns-1", "roost-00003"));

        // One /status write per object that had a status, none for the others.
        Assert.Equal(2, bed.Cluster.Requests.Count("restorer", "update", $"{RecoveryTestBed.Plural}/status"));

        // A plan against the restored cluster, status included, finds nothing to do.
        var plan = await bed.Manager("planner", Plain).RestoreFromBackupAsync(backup.Id, new RestoreOptions { IncludeStatus = true, DryRun = true });
        Assert.All(plan.Objects, o => Assert.Equal(RestoreOutcome.Unchanged, o.Outcome));
    }

    [Fact]
    public async Task Status_is_left_out_by_default()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        await SetStatusAsync(bed, "ns-0", "roost-00001", new JsonObject { ["phase"] = "Nesting" });
        var backup = await bed.Manager("backup", Plain).CreateBackupAsync();
        await bed.DeleteEverythingAsync(namespaces: 1);

        var result = await bed.Manager("restorer", Plain).RestoreFromBackupAsync(backup.Id);

        Assert.True(result.Succeeded);
        Assert.Null(await StatusAsync(bed, "ns-0", "roost-00001"));
        Assert.Equal(0, bed.Cluster.Requests.Count("restorer", "update", $"{RecoveryTestBed.Plural}/status"));
    }

    [Fact]
    public async Task A_status_write_the_server_refuses_fails_that_object_and_says_it_was_created()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 1, namespaces: 1);
        await SetStatusAsync(bed, "ns-0", "roost-00000", new JsonObject { ["phase"] = "Nesting" });
        var backup = await bed.Manager("backup", Plain).CreateBackupAsync();
        await bed.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00000");
        var handler = new RecordingHandler { FailPutsWith = System.Net.HttpStatusCode.UnprocessableEntity };
        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = bed.Cluster.BaseAddress.ToString() }, handler);

        var result = await new RecoveryManager(client, Plain, bed.Store()).RestoreFromBackupAsync(backup.Id, new RestoreOptions { IncludeStatus = true });

        var failed = Assert.Single(result.Objects, o => o.Outcome == RestoreOutcome.Failed);
        Assert.Equal("roost-00000", failed.Name);
        Assert.StartsWith("created, but writing its status", failed.Error, StringComparison.Ordinal);
        Assert.Contains("422", failed.Error, StringComparison.Ordinal);
        Assert.False(result.Succeeded);
        Assert.NotNull(await bed.Admin.CustomObjects.GetNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00000"));
    }

    [Fact]
    public async Task A_definition_included_explicitly_and_automatically_is_archived_once()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 3, namespaces: 1);
        var options = Plain;
        options.Resources.Add(new BackupResource("apiextensions.k8s.io", "v1", "customresourcedefinitions"));
        options.Resources.Add(new BackupResource(RecoveryTestBed.Group, RecoveryTestBed.Version, RecoveryTestBed.Plural)); // the same include again

        var backup = await bed.Manager("backup", options).CreateBackupAsync(); // verified after write: a duplicate entry would fail it

        Assert.Equal(1, backup.ResourceTypes.Where(t => t.Plural == "customresourcedefinitions").Sum(t => t.Count));
        Assert.Equal(3, backup.ResourceTypes.Where(t => t.Plural == RecoveryTestBed.Plural).Sum(t => t.Count));
        Assert.Equal(1, bed.Cluster.Requests.Count("backup", "list", "customresourcedefinitions"));
        Assert.Equal(0, bed.Cluster.Requests.Count("backup", "get", "customresourcedefinitions"));
        Assert.Equal(1, bed.Cluster.Requests.Count("backup", "list", RecoveryTestBed.Plural));
    }

    [Fact]
    public async Task A_filtered_definition_include_next_to_the_automatic_one_and_overlapping_selectors_store_each_object_once()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 6, namespaces: 2);
        var options = new BackupOptions { ClusterName = "sim", PageSize = 10 };
        options.Resources.Add(new BackupResource(RecoveryTestBed.Group, RecoveryTestBed.Version, RecoveryTestBed.Plural, LabelSelector: "app=roost-keeper"));
        options.Resources.Add(new BackupResource(RecoveryTestBed.Group, RecoveryTestBed.Version, RecoveryTestBed.Plural, LabelSelector: "tier=0"));
        options.Resources.Add(new BackupResource(RecoveryTestBed.Group, RecoveryTestBed.Version, RecoveryTestBed.Plural, Namespace: "ns-1"));
        options.Resources.Add(new BackupResource("apiextensions.k8s.io", "v1", "customresourcedefinitions", LabelSelector: "!absent"));

        var backup = await bed.Manager("backup", options).CreateBackupAsync();

        Assert.Equal(6, backup.ResourceTypes.Where(t => t.Plural == RecoveryTestBed.Plural).Sum(t => t.Count));
        Assert.Equal(1, backup.ResourceTypes.Where(t => t.Plural == "customresourcedefinitions").Sum(t => t.Count));
        Assert.True((await bed.Manager("validator", options).ValidateBackupAsync(backup.Id)).IsValid);
    }

    [Fact]
    public async Task AddBackups_called_twice_configures_one_registration_with_one_schedule()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var services = new ServiceCollection();
        services.AddSingleton(bed.Cluster.CreateClient("di"));
        var builder = services.AddRoostHa(o => { o.LeaseNamespace = "default"; o.LeaseName = "roost-keeper"; o.Identity = "replica-a"; });
        var callbacksBefore = services.Count(d => d.ServiceType == typeof(LeadershipCallbackRegistration));
        builder.AddBackups(b => b.Include(RecoveryTestBed.Group, RecoveryTestBed.Version, RecoveryTestBed.Plural).ToDirectory(bed.Directory).Schedule("0 */6 * * *"))
            .AddBackups(b => b.Include(RecoveryTestBed.Group, RecoveryTestBed.Version, RecoveryTestBed.Plural).IncludeConfigMaps("app=roost-keeper"));

        Assert.Equal(callbacksBefore + 1, services.Count(d => d.ServiceType == typeof(LeadershipCallbackRegistration)));
        Assert.Single(services, d => d.ServiceType == typeof(RecoveryManager));
        await using var provider = services.BuildServiceProvider();
        var backup = await provider.GetRequiredService<RecoveryManager>().CreateBackupAsync();

        // Both calls' includes count; the repeated Include is read once.
        Assert.Equal(2, backup.ResourceTypes.Where(t => t.Plural == RecoveryTestBed.Plural).Sum(t => t.Count));
        Assert.Equal(1, backup.ResourceTypes.Where(t => t.Plural == "configmaps").Sum(t => t.Count));
        Assert.Equal(1, bed.Cluster.Requests.Count("di", "list", RecoveryTestBed.Plural));
    }

    private static async Task SetStatusAsync(RecoveryTestBed bed, string ns, string name, JsonObject status)
    {
        var live = JsonNode.Parse(((JsonElement)await bed.Admin.CustomObjects.GetNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, ns, RecoveryTestBed.Plural, name)).GetRawText())!.AsObject();
        live["status"] = status;
        await bed.Admin.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(live, RecoveryTestBed.Group, RecoveryTestBed.Version, ns, RecoveryTestBed.Plural, name);
    }

    private static async Task<JsonNode?> StatusAsync(RecoveryTestBed bed, string ns, string name)
    {
        var live = JsonNode.Parse(((JsonElement)await bed.Admin.CustomObjects.GetNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, ns, RecoveryTestBed.Plural, name)).GetRawText())!.AsObject();
        return live["status"];
    }
}
