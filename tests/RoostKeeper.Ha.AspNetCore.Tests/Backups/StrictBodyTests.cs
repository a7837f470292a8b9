using System.Net;
using System.Text;
using System.Text.Json;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Backups;

/// <summary>
/// A request body means exactly what it says: an enum by its documented name only, namespace names and route
/// ids without a trailing newline. Anything else is a 400 naming the field, and nothing is started.
/// </summary>
public sealed class StrictBodyTests(BackupApiFixture fixture) : IClassFixture<BackupApiFixture>
{
    [Theory]
    [InlineData("{\"existingObjects\": \"Skip,Update\"}", "$.existingObjects")]
    [InlineData("{\"existingObjects\": \"Skip, Update\"}", "$.existingObjects")]
    [InlineData("{\"existingObjects\": \"uPDATE\"}", "$.existingObjects")]
    [InlineData("{\"existingObjects\": \"UPDATE\"}", "$.existingObjects")]
    [InlineData("{\"existingObjects\": \" Update\"}", "$.existingObjects")]
    [InlineData("{\"existingObjects\": \"Update\\n\"}", "$.existingObjects")]
    [InlineData("{\"existingObjects\": \"1\"}", "$.existingObjects")]
    [InlineData("{\"existingObjects\": 1}", "$.existingObjects")]
    [InlineData("{\"existingObjects\": \"Overwrite\"}", "$.existingObjects")]
    [InlineData("{\"existingObjects\": [\"Update\"]}", "$.existingObjects")]
    [InlineData("{\"dryRun\": \"false\"}", "$.dryRun")]
    [InlineData("{\"dryRun\": 0}", "$.dryRun")]
    [InlineData("{\"namespaceMapping\": {\"roost-data\": \"roost-data\\n\"}}", "$.namespaceMapping.roost-data")]
    [InlineData("{\"namespaceMapping\": {\"roost-data\\n\": \"other\"}}", "$.namespaceMapping")]
    public async Task A_restore_body_that_is_not_exactly_as_documented_is_a_400_naming_the_field_and_nothing_starts(string json, string field)
    {
        var id = await BackupBed.BackupAsync(fixture.Leader);
        var before = await OperationCountAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/restore/{id}") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = ReplicaServer.Bearer(BackupBed.Operator);
        using var response = await fixture.Leader.Http.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{json}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var problem = await BackupBed.ProblemAsync(response);
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        Assert.Equal(before, await OperationCountAsync());
    }

    [Theory]
    [InlineData("Skip")]
    [InlineData("Update")]
    [InlineData("skip")]
    [InlineData("update")]
    public async Task The_documented_names_are_accepted(string policy)
    {
        var id = await BackupBed.BackupAsync(fixture.Leader);

        var operation = await BackupBed.RunAsync(fixture.Leader, $"/restore/{id}", new { dryRun = true, existingObjects = policy });

        Assert.Equal("Succeeded", operation.GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("GET", "/backups/{id}%0A")]
    [InlineData("POST", "/backups/{id}%0A/validate")]
    [InlineData("POST", "/restore/{id}%0A")]
    [InlineData("GET", "/operations/op-1%0A")]
    public async Task An_id_with_a_trailing_newline_is_a_400(string method, string route)
    {
        var id = await BackupBed.BackupAsync(fixture.Leader);
        var before = await OperationCountAsync();

        using var response = await BackupBed.SendAsync(fixture.Leader, new HttpMethod(method), route.Replace("{id}", id, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = await BackupBed.ProblemAsync(response);
        Assert.Equal("id", problem.RootElement.GetProperty("field").GetString());
        Assert.Equal(before, await OperationCountAsync());
    }

    private async Task<int> OperationCountAsync()
    {
        using var list = JsonDocument.Parse(await fixture.Leader.Http.GetStringAsync("/operations"));
        return list.RootElement.GetArrayLength();
    }
}
