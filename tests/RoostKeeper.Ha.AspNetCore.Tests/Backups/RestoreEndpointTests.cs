using System.Net;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Backups;

/// <summary>POST /restore/{id}: dry-run plans, the existing-object policy, namespace mapping, one restore at a time, bad bodies.</summary>
public sealed class RestoreEndpointTests(BackupApiFixture fixture) : IClassFixture<BackupApiFixture>
{
    private ReplicaServer Leader => fixture.Leader;

    private IKubernetes Admin => fixture.Bed.Admin;

    [Fact]
    public async Task A_dry_run_returns_the_plan_with_differences_and_writes_nothing()
    {
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(BackupBed.ConfigMap("dry-gone", "a"), BackupBed.DataNamespace);
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(BackupBed.ConfigMap("dry-changed", "b"), BackupBed.DataNamespace);
        var id = await BackupBed.BackupAsync(Leader);
        await Admin.CoreV1.DeleteNamespacedConfigMapAsync("dry-gone", BackupBed.DataNamespace);
        await Admin.CoreV1.ReplaceNamespacedConfigMapAsync(BackupBed.ConfigMap("dry-changed", "changed"), "dry-changed", BackupBed.DataNamespace);

        var operation = await BackupBed.RunAsync(Leader, $"/restore/{id}", new { dryRun = true, existingObjects = "Update" });

        Assert.Equal("Succeeded", operation.GetProperty("state").GetString());
        Assert.True(operation.GetProperty("dryRun").GetBoolean());
        var result = operation.GetProperty("result");
        Assert.True(result.GetProperty("dryRun").GetBoolean());
        Assert.Equal("WouldCreate", Outcome(result, "dry-gone").GetProperty("outcome").GetString());
        var changed = Outcome(result, "dry-changed");
        Assert.Equal("WouldUpdate", changed.GetProperty("outcome").GetString());
        Assert.Contains(changed.GetProperty("differences").EnumerateArray(), d => d.GetString()!.Contains("value", StringComparison.Ordinal));
        Assert.True(result.GetProperty("counts").GetProperty("WouldCreate").GetInt32() >= 1);
        Assert.Null(await BackupEndpointTests.ReadConfigMapAsync(Admin, "dry-gone", BackupBed.DataNamespace));
        Assert.Equal("changed", (await Admin.CoreV1.ReadNamespacedConfigMapAsync("dry-changed", BackupBed.DataNamespace)).Data["value"]);
    }

    [Fact]
    public async Task A_restore_creates_what_is_missing_and_updates_what_differs_with_the_update_policy()
    {
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(BackupBed.ConfigMap("real-gone", "a"), BackupBed.DataNamespace);
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(BackupBed.ConfigMap("real-changed", "b"), BackupBed.DataNamespace);
        var id = await BackupBed.BackupAsync(Leader);
        await Admin.CoreV1.DeleteNamespacedConfigMapAsync("real-gone", BackupBed.DataNamespace);
        await Admin.CoreV1.ReplaceNamespacedConfigMapAsync(BackupBed.ConfigMap("real-changed", "changed"), "real-changed", BackupBed.DataNamespace);

        var skipped = await BackupBed.RunAsync(Leader, $"/restore/{id}");
        Assert.Equal("Skipped", Outcome(skipped.GetProperty("result"), "real-changed").GetProperty("outcome").GetString());
        Assert.Equal("changed", (await Admin.CoreV1.ReadNamespacedConfigMapAsync("real-changed", BackupBed.DataNamespace)).Data["value"]);

        var updated = await BackupBed.RunAsync(Leader, $"/restore/{id}", new { existingObjects = "update" });

        Assert.Equal("Succeeded", updated.GetProperty("state").GetString());
        Assert.Equal("Updated", Outcome(updated.GetProperty("result"), "real-changed").GetProperty("outcome").GetString());
        Assert.Equal("a", (await Admin.CoreV1.ReadNamespacedConfigMapAsync("real-gone", BackupBed.DataNamespace)).Data["value"]);
        Assert.Equal("b", (await Admin.CoreV1.ReadNamespacedConfigMapAsync("real-changed", BackupBed.DataNamespace)).Data["value"]);
        using var listed = JsonDocument.Parse(await Leader.Http.GetStringAsync($"/backups/{id}"));
        Assert.Equal("Valid", listed.RootElement.GetProperty("validation").GetProperty("state").GetString());
    }

    [Fact]
    public async Task Namespace_mapping_restores_into_another_namespace()
    {
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "roost-copy" } });
        var id = await BackupBed.BackupAsync(Leader);

        var operation = await BackupBed.RunAsync(Leader, $"/restore/{id}", new { namespaceMapping = new Dictionary<string, string> { [BackupBed.DataNamespace] = "roost-copy" } });

        Assert.Equal("Succeeded", operation.GetProperty("state").GetString());
        Assert.Equal("value-0", (await Admin.CoreV1.ReadNamespacedConfigMapAsync("roost-0", "roost-copy")).Data["value"]);
        Assert.Equal("roost-copy", Outcome(operation.GetProperty("result"), "roost-0").GetProperty("namespace").GetString());
    }

    [Fact]
    public async Task Two_restores_never_run_at_once_and_a_backup_in_use_is_not_deleted()
    {
        var id = await BackupBed.BackupAsync(Leader);
        var store = fixture.Bed.Store;
        var waiting = store.Waiting;
        store.Close();
        try
        {
            using var first = await BackupBed.SendAsync(Leader, HttpMethod.Post, $"/restore/{id}", new { dryRun = true });
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            var location = first.Headers.Location!.OriginalString;
            await Cluster.Until(() => store.Waiting > waiting, "the first restore to read the backup");

            using var second = await BackupBed.SendAsync(Leader, HttpMethod.Post, $"/restore/{id}");
            using var delete = await BackupBed.SendAsync(Leader, HttpMethod.Delete, $"/backups/{id}");

            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
            using (var problem = await BackupBed.ProblemAsync(second))
            {
                Assert.Equal(location, problem.RootElement.GetProperty("location").GetString());
                Assert.EndsWith(problem.RootElement.GetProperty("runningOperation").GetString()!, location, StringComparison.Ordinal);
                Assert.Contains("Two restores never run at once", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
            using (var running = JsonDocument.Parse(await Leader.Http.GetStringAsync(location)))
            {
                Assert.Equal("Running", running.RootElement.GetProperty("state").GetString());
                Assert.Equal("validate", running.RootElement.GetProperty("progress").GetProperty("phase").GetString());
            }

            store.Open();
            Assert.Equal("Succeeded", (await BackupBed.FinishedAsync(Leader, location)).GetProperty("state").GetString());
        }
        finally
        {
            store.Open();
        }

        Assert.Equal("Succeeded", (await BackupBed.RunAsync(Leader, $"/restore/{id}", new { dryRun = true })).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("{\"dryRun\": \"yes\"}", "$.dryRun")]
    [InlineData("{\"existingObjects\": \"Overwrite\"}", "$.existingObjects")]
    [InlineData("{\"existingObjects\": 1}", "$.existingObjects")]
    [InlineData("{\"namespaceMapping\": [\"a\"]}", "$.namespaceMapping")]
    [InlineData("{\"namespaceMapping\": {\"roost-data\": \"Bad_Namespace\"}}", "$.namespaceMapping.roost-data")]
    [InlineData("{\"namespaceMapping\": {\"UPPER\": \"fine\"}}", "$.namespaceMapping")]
    [InlineData("{\"dry_run\": true}", "$.dry_run")]
    [InlineData("{\"dryRun\": true", "$")]
    public async Task A_malformed_restore_body_is_a_400_naming_the_field(string json, string field)
    {
        var id = await FirstBackupAsync();

        using var response = await Send($"/restore/{id}", json, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = await BackupBed.ProblemAsync(response);
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("/backup")]
    [InlineData("/backups")]
    [InlineData("/backups/{id}/validate")]
    public async Task A_body_with_unknown_fields_on_create_or_validate_is_a_400_naming_the_field(string path)
    {
        var id = await FirstBackupAsync();

        using var response = await Send(path.Replace("{id}", id, StringComparison.Ordinal), "{\"resources\": [\"secrets\"]}", "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = await BackupBed.ProblemAsync(response);
        Assert.Equal("$.resources", problem.RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_restore_body_over_the_limit_is_a_413_and_one_that_is_not_json_a_415()
    {
        var id = await FirstBackupAsync();
        var mapping = string.Join(", ", Enumerable.Range(0, 40).Select(i => $"\"ns-{i}\": \"target-{i}\""));

        using var large = await Send($"/restore/{id}", "{\"namespaceMapping\": {" + mapping + "}}", "application/json");
        using var form = await Send($"/restore/{id}", "dryRun=true", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        (await BackupBed.ProblemAsync(large)).Dispose();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        (await BackupBed.ProblemAsync(form)).Dispose();
    }

    private async Task<string> FirstBackupAsync()
    {
        using var list = JsonDocument.Parse(await Leader.Http.GetStringAsync("/backups"));
        return list.RootElement.EnumerateArray().Select(b => b.GetProperty("id").GetString()!).FirstOrDefault()
            ?? await BackupBed.BackupAsync(Leader);
    }

    private async Task<HttpResponseMessage> Send(string path, string body, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        request.Headers.Authorization = ReplicaServer.Bearer(BackupBed.Operator);
        return await Leader.Http.SendAsync(request);
    }

    private static JsonElement Outcome(JsonElement result, string name) =>
        result.GetProperty("objects").EnumerateArray().Single(o => o.GetProperty("name").GetString() == name);
}
