using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Backups;

/// <summary>Every mutating backup endpoint, with the real JWT bearer scheme: refused (401, 403) without effect, granted with the operator role.</summary>
public sealed class AuthorizationTests(BackupApiFixture fixture) : IClassFixture<BackupApiFixture>
{
    public static TheoryData<string, string> Mutations => new()
    {
        { "POST", "/backup" },
        { "POST", "/backups" },
        { "POST", "/backups/{id}/validate" },
        { "POST", "/restore/{id}" },
        { "DELETE", "/backups/{id}" },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public async Task Refused_without_a_valid_token_or_the_operator_role_and_nothing_runs(string method, string route)
    {
        var id = await BackupBed.BackupAsync(fixture.Leader);
        var path = route.Replace("{id}", id, StringComparison.Ordinal);
        var before = await OperationCountAsync();

        using var none = await Send(method, path, token: null);
        using var wrongKey = await Send(method, path, ReplicaServer.Token("mallory", "operator", key: new SymmetricSecurityKey(new byte[64])));
        using var expired = await Send(method, path, ReplicaServer.Token("alice", "operator", expires: DateTime.UtcNow.AddMinutes(-10)));
        using var viewer = await Send(method, path, ReplicaServer.Token("bob", "viewer"));

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        Assert.Equal(before, await OperationCountAsync());
        Assert.Equal(HttpStatusCode.OK, (await fixture.Leader.Http.GetAsync($"/backups/{id}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Mutations))]
    public async Task Granted_with_the_operator_role(string method, string route)
    {
        var id = await BackupBed.BackupAsync(fixture.Leader);

        using var response = await Send(method, route.Replace("{id}", id, StringComparison.Ordinal), BackupBed.Operator);

        Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.NoContent, $"{method} {route}: {(int)response.StatusCode}");
        if (response.Headers.Location is { } location)
        {
            await BackupBed.FinishedAsync(fixture.Leader, location.OriginalString);
        }
    }

    private async Task<int> OperationCountAsync()
    {
        using var list = JsonDocument.Parse(await fixture.Leader.Http.GetStringAsync("/operations"));
        return list.RootElement.GetArrayLength();
    }

    private async Task<HttpResponseMessage> Send(string method, string path, string? token)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (token is not null)
        {
            request.Headers.Authorization = ReplicaServer.Bearer(token);
        }

        return await fixture.Leader.Http.SendAsync(request);
    }
}
