using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Backups;

/// <summary>Create, list, read, validate and delete backups over HTTP on the leader, with the routes of docs/aspnetcore.md.</summary>
public sealed class BackupEndpointTests(BackupApiFixture fixture) : IClassFixture<BackupApiFixture>
{
    private ReplicaServer Leader => fixture.Leader;

    [Fact]
    public async Task Post_backup_answers_202_with_a_location_that_polls_to_the_new_backup_listed_as_valid()
    {
        using var response = await BackupBed.SendAsync(Leader, HttpMethod.Post, "/backup");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/operations/op-", location, StringComparison.Ordinal);
        using (var accepted = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.Equal("Backup", accepted.RootElement.GetProperty("kind").GetString());
            Assert.Equal("replica-a", accepted.RootElement.GetProperty("replica").GetString());
            Assert.Equal("alice", accepted.RootElement.GetProperty("requestedBy").GetString());
            Assert.Equal(location, accepted.RootElement.GetProperty("location").GetString());
            Assert.True(accepted.RootElement.TryGetProperty("progress", out _));
        }

        var operation = await BackupBed.FinishedAsync(Leader, location);
        Assert.Equal("Succeeded", operation.GetProperty("state").GetString());
        var id = operation.GetProperty("result").GetProperty("id").GetString()!;
        Assert.Equal(id, operation.GetProperty("backupId").GetString());
        Assert.Equal(3, operation.GetProperty("result").GetProperty("objectCount").GetInt64());
        Assert.Equal(3, operation.GetProperty("progress").GetProperty("objects").GetInt64());

        using var list = JsonDocument.Parse(await Leader.Http.GetStringAsync("/backups"));
        var listed = Assert.Single(list.RootElement.EnumerateArray(), b => b.GetProperty("id").GetString() == id);
        Assert.Equal("Valid", listed.GetProperty("validation").GetProperty("state").GetString());
        Assert.Equal("verified after write", listed.GetProperty("validation").GetProperty("how").GetString());

        using var one = JsonDocument.Parse(await Leader.Http.GetStringAsync($"/backups/{id}"));
        Assert.Equal(id, one.RootElement.GetProperty("id").GetString());
        Assert.Equal(BackupBed.DataNamespace, Assert.Single(one.RootElement.GetProperty("namespaces").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task Post_backups_creates_too_and_reads_are_open_without_a_token()
    {
        var id = await BackupBed.BackupAsync(Leader, "/backups");

        using var anonymous = new HttpClient { BaseAddress = Leader.Http.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/backups")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/backups/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/operations")).StatusCode);
    }

    [Fact]
    public async Task Validate_succeeds_for_a_good_backup_and_fails_naming_the_problem_for_a_corrupted_one()
    {
        var good = await BackupBed.BackupAsync(Leader);
        var bad = await BackupBed.BackupAsync(Leader);
        var archive = Directory.EnumerateFiles(fixture.Bed.Directory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).StartsWith(bad, StringComparison.Ordinal) && !f.EndsWith(".json", StringComparison.Ordinal))
            .OrderByDescending(f => new FileInfo(f).Length)
            .First();
        var bytes = await File.ReadAllBytesAsync(archive);
        // A digit of the first object's creation time (the archive is a plain tar here, objects first): the JSON
        // stays valid, so the object's own hash is what fails. A byte picked by position alone lands in an object
        // or in padding depending on what the backup holds.
        var field = "\"creationTimestamp\":\""u8;
        var at = bytes.AsSpan().IndexOf(field);
        Assert.True(at > 0, "the unencrypted archive holds object JSON");
        var digit = at + field.Length + 3; // the year's last digit
        bytes[digit] = bytes[digit] == (byte)'0' ? (byte)'1' : (byte)'0';
        await File.WriteAllBytesAsync(archive, bytes);

        var valid = await BackupBed.RunAsync(Leader, $"/backups/{good}/validate");
        var invalid = await BackupBed.RunAsync(Leader, $"/backups/{bad}/validate");

        Assert.Equal("Succeeded", valid.GetProperty("state").GetString());
        Assert.True(valid.GetProperty("result").GetProperty("valid").GetBoolean());
        Assert.Equal("Failed", invalid.GetProperty("state").GetString());
        Assert.Equal("BackupIntegrityException", invalid.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("ObjectHashMismatch", invalid.GetProperty("error").GetProperty("facts").GetProperty("problem").GetString());
        Assert.False(invalid.GetProperty("result").GetProperty("valid").GetBoolean());
        using var listed = JsonDocument.Parse(await Leader.Http.GetStringAsync($"/backups/{bad}"));
        Assert.Equal("Invalid", listed.RootElement.GetProperty("validation").GetProperty("state").GetString());
        Assert.False(string.IsNullOrEmpty(listed.RootElement.GetProperty("validation").GetProperty("error").GetString()));

        // A restore refuses the corrupted backup and writes nothing.
        var restore = await BackupBed.RunAsync(Leader, $"/restore/{bad}", new { existingObjects = "Update" });
        Assert.Equal("Failed", restore.GetProperty("state").GetString());
        Assert.Equal("BackupIntegrityException", restore.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Delete_removes_the_backup_then_it_is_404()
    {
        var id = await BackupBed.BackupAsync(Leader);

        using var deleted = await BackupBed.SendAsync(Leader, HttpMethod.Delete, $"/backups/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Leader.Http.GetAsync($"/backups/{id}")).StatusCode);
        using var again = await BackupBed.SendAsync(Leader, HttpMethod.Delete, $"/backups/{id}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        using var list = JsonDocument.Parse(await Leader.Http.GetStringAsync("/backups"));
        Assert.DoesNotContain(list.RootElement.EnumerateArray(), b => b.GetProperty("id").GetString() == id);
    }

    [Theory]
    [InlineData("GET", "/backups/20990101-000000-abcdef")]
    [InlineData("POST", "/backups/20990101-000000-abcdef/validate")]
    [InlineData("POST", "/restore/20990101-000000-abcdef")]
    [InlineData("DELETE", "/backups/20990101-000000-abcdef")]
    public async Task An_unknown_backup_id_is_a_404_problem_naming_it(string method, string path)
    {
        using var response = await BackupBed.SendAsync(Leader, new HttpMethod(method), path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var problem = await BackupBed.ProblemAsync(response);
        Assert.Equal("20990101-000000-abcdef", problem.RootElement.GetProperty("backupId").GetString());
    }

    [Theory]
    [InlineData("GET", "/backups/.hidden")]
    [InlineData("POST", "/backups/..%2F..%2Fetc/validate")]
    [InlineData("POST", "/restore/bad%20id")]
    [InlineData("DELETE", "/backups/-x")]
    [InlineData("GET", "/operations/op%3Bdrop")]
    [InlineData("GET", "/updates/.x")]
    public async Task A_malformed_id_is_a_400_naming_the_id(string method, string path)
    {
        using var response = await BackupBed.SendAsync(Leader, new HttpMethod(method), path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = await BackupBed.ProblemAsync(response);
        Assert.Equal("id", problem.RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_unknown_operation_is_a_404_naming_where_operations_live()
    {
        using var response = await Leader.Http.GetAsync("/operations/op-20990101-000000-00000000");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var problem = await BackupBed.ProblemAsync(response);
        Assert.Contains("kept in memory by the replica that ran them", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Updates_are_listed_and_an_unknown_update_is_a_404()
    {
        using var list = await Leader.Http.GetAsync("/updates");
        using var unknown = await Leader.Http.GetAsync("/updates/upd-20990101t000000-0000");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var problem = await BackupBed.ProblemAsync(unknown);
        Assert.Equal("upd-20990101t000000-0000", problem.RootElement.GetProperty("updateId").GetString());
    }

    internal static async Task<V1ConfigMap?> ReadConfigMapAsync(IKubernetes client, string name, string ns)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedConfigMapAsync(name, ns);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
